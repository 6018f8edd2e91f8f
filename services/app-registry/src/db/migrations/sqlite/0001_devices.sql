CREATE TABLE `devices` (
	`device_id` text PRIMARY KEY NOT NULL,
	`device_type` text NOT NULL,
	`name` text NOT NULL,
	`labels` text NOT NULL,
	`status` text NOT NULL,
	`token_sha256` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `devices_created_at_id` ON `devices` (`created_at`,`device_id`);--> statement-breakpoint
CREATE INDEX `devices_device_type` ON `devices` (`device_type`);