-- Written by hand (drizzle-kit sees no change: partitioning is outside its schema). The 1-minute
-- roll-ups move from daily to weekly partitions (src/db/pg-partitions.ts), so a 30-day read plans and
-- scans 5 partitions instead of 30. Rows are kept: the daily partitions are set aside under other
-- names, the weekly ones created for every week that holds rows, the rows copied, the old table dropped.
ALTER TABLE "rollup_1m" RENAME TO "rollup_1m_daily";
--> statement-breakpoint
ALTER TABLE "rollup_1m_daily" RENAME CONSTRAINT "rollup_1m_series_id_bucket_pk" TO "rollup_1m_daily_pk";
--> statement-breakpoint
ALTER INDEX "rollup_1m_bucket_brin" RENAME TO "rollup_1m_daily_brin";
--> statement-breakpoint
DO $$
DECLARE
	p record;
BEGIN
	FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = '"rollup_1m_daily"'::regclass LOOP
		EXECUTE format('ALTER TABLE %I RENAME TO %I', p.relname, p.relname || '_daily');
	END LOOP;
END $$;
--> statement-breakpoint
CREATE TABLE "rollup_1m" (
	"series_id" integer NOT NULL,
	"bucket" bigint NOT NULL,
	"count" integer NOT NULL,
	"sum" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"last" double precision NOT NULL,
	"last_ts" bigint NOT NULL,
	CONSTRAINT "rollup_1m_series_id_bucket_pk" PRIMARY KEY("series_id","bucket")
) PARTITION BY RANGE ("bucket");
--> statement-breakpoint
CREATE INDEX "rollup_1m_bucket_brin" ON "rollup_1m" USING brin ("bucket");
--> statement-breakpoint
DO $$
DECLARE
	week bigint;
BEGIN
	FOR week IN SELECT DISTINCT bucket - bucket % 604800000 FROM rollup_1m_daily LOOP
		EXECUTE format('CREATE TABLE %I PARTITION OF rollup_1m FOR VALUES FROM (%s) TO (%s)',
			'rollup_1m_p' || to_char(to_timestamp(week / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD'), week, week + 604800000);
	END LOOP;
END $$;
--> statement-breakpoint
INSERT INTO "rollup_1m" SELECT * FROM "rollup_1m_daily";
--> statement-breakpoint
DROP TABLE "rollup_1m_daily";
