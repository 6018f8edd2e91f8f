-- Written by hand (drizzle-kit cannot express INCLUDE on a primary key). The roll-up tables' keys carry
-- the figures a range read takes (all but last_ts, which only the rare read of pending buckets needs),
-- so the read is an index-only scan over one series' adjacent key entries; in the table its rows lie
-- one per page among every other series rolled up in the same minute. A month of one series among 50
-- read ~24,000 buffers before, ~420 after (once vacuum has marked the pages all-visible; until then
-- the table is read as before). Rows are kept; each partition's key index is rebuilt.
ALTER TABLE "rollup_1m" DROP CONSTRAINT "rollup_1m_series_id_bucket_pk";
--> statement-breakpoint
ALTER TABLE "rollup_1m" ADD CONSTRAINT "rollup_1m_series_id_bucket_pk" PRIMARY KEY ("series_id", "bucket")
	INCLUDE ("count", "sum", "min", "max", "last");
--> statement-breakpoint
ALTER TABLE "rollup_1h" DROP CONSTRAINT "rollup_1h_series_id_bucket_pk";
--> statement-breakpoint
ALTER TABLE "rollup_1h" ADD CONSTRAINT "rollup_1h_series_id_bucket_pk" PRIMARY KEY ("series_id", "bucket")
	INCLUDE ("count", "sum", "min", "max", "last");
