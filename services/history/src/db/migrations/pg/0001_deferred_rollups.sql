-- Edited by hand after drizzle-kit generate. Raw points move to one row per device message
-- (raw_messages, range-partitioned by day like raw_points was), and roll-ups are computed from raw
-- after the write (src/db/pg-rollups.ts), so the minutes still to roll up are logged in
-- rollup_pending. A database migrating forward keeps its raw points (regrouped per device and
-- time) and its roll-ups, which are complete: nothing is pending.
CREATE TABLE "raw_messages" (
	"device_id" text NOT NULL,
	"ts" bigint NOT NULL,
	"series_ids" integer[] NOT NULL,
	"readings" double precision[] NOT NULL,
	CONSTRAINT "raw_messages_device_id_ts_pk" PRIMARY KEY("device_id","ts")
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
CREATE TABLE "rollup_pending" (
	"bucket" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "raw_messages_ts_brin" ON "raw_messages" USING brin ("ts");--> statement-breakpoint
CREATE INDEX "rollup_1m_bucket_brin" ON "rollup_1m" USING brin ("bucket");--> statement-breakpoint
DO $$
DECLARE
	day bigint;
BEGIN
	FOR day IN SELECT DISTINCT ts - ts % 86400000 FROM raw_points LOOP
		EXECUTE format('CREATE TABLE %I PARTITION OF raw_messages FOR VALUES FROM (%s) TO (%s)',
			'raw_messages_p' || to_char(to_timestamp(day / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD'), day, day + 86400000);
	END LOOP;
END $$;
--> statement-breakpoint
INSERT INTO "raw_messages" ("device_id", "ts", "series_ids", "readings")
	SELECT s.device_id, p.ts, array_agg(p.series_id ORDER BY p.series_id), array_agg(p.value ORDER BY p.series_id)
	FROM raw_points p JOIN series s ON s.id = p.series_id GROUP BY 1, 2;
--> statement-breakpoint
DROP TABLE "raw_points";
