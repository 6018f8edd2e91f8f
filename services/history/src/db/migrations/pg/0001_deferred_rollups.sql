CREATE TABLE "rollup_pending" (
	"bucket" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "raw_points_ts_brin" ON "raw_points" USING brin ("ts");--> statement-breakpoint
CREATE INDEX "rollup_1m_bucket_brin" ON "rollup_1m" USING brin ("bucket");