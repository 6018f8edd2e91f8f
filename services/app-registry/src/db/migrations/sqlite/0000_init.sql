CREATE TABLE `application_device_types` (
	`application_id` text NOT NULL,
	`device_type` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`application_id`, `device_type`),
	FOREIGN KEY (`application_id`) REFERENCES `applications`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `application_device_types_device_type` ON `application_device_types` (`device_type`,`application_id`);--> statement-breakpoint
CREATE TABLE `applications` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`description` text,
	`version` text NOT NULL,
	`developer` text NOT NULL,
	`contact_email` text NOT NULL,
	`category` text,
	`platform` text,
	`status` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `applications_name_key_unique` ON `applications` (`name_key`);--> statement-breakpoint
CREATE INDEX `applications_created_at_id` ON `applications` (`created_at`,`id`);