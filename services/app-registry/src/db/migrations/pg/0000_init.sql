CREATE TABLE "application_device_types" (
	"application_id" text NOT NULL,
	"device_type" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "application_device_types_application_id_device_type_pk" PRIMARY KEY("application_id","device_type")
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"description" text,
	"version" text NOT NULL,
	"developer" text NOT NULL,
	"contact_email" text NOT NULL,
	"category" text,
	"platform" text,
	"status" text NOT NULL,
	"api_key_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "application_device_types" ADD CONSTRAINT "application_device_types_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_device_types_device_type" ON "application_device_types" USING btree ("device_type","application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_name_key_unique" ON "applications" USING btree ("name_key");--> statement-breakpoint
CREATE INDEX "applications_created_at_id" ON "applications" USING btree ("created_at","id");