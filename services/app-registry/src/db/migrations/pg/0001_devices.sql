CREATE TABLE "devices" (
	"device_id" text PRIMARY KEY NOT NULL,
	"device_type" text NOT NULL,
	"name" text NOT NULL,
	"labels" jsonb NOT NULL,
	"status" text NOT NULL,
	"token_sha256" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "devices_created_at_id" ON "devices" USING btree ("created_at","device_id");--> statement-breakpoint
CREATE INDEX "devices_device_type" ON "devices" USING btree ("device_type");