CREATE TABLE `alarm_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`alarm_id` text NOT NULL,
	`device_id` text NOT NULL,
	`alarm` text NOT NULL,
	`published` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alarm_events_id_unique` ON `alarm_events` (`id`);--> statement-breakpoint
CREATE INDEX `alarm_events_at` ON `alarm_events` (`at`);--> statement-breakpoint
CREATE INDEX `alarm_events_device_at` ON `alarm_events` (`device_id`,`at`);--> statement-breakpoint
CREATE INDEX `alarm_events_published` ON `alarm_events` (`published`,`seq`);--> statement-breakpoint
CREATE TABLE `alarms` (
	`id` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`device_type` text NOT NULL,
	`rule_id` text NOT NULL,
	`rule_name` text NOT NULL,
	`severity` text NOT NULL,
	`message` text NOT NULL,
	`value` real,
	`threshold` text NOT NULL,
	`raised_at` integer NOT NULL,
	`cleared_at` integer,
	`ack_by` text,
	`ack_at` integer,
	`ack_note` text
);
--> statement-breakpoint
CREATE INDEX `alarms_active` ON `alarms` (`cleared_at`,`raised_at`);--> statement-breakpoint
CREATE INDEX `alarms_device` ON `alarms` (`device_id`,`raised_at`);--> statement-breakpoint
CREATE TABLE `alarm_devices` (
	`device_id` text PRIMARY KEY NOT NULL,
	`device_type` text NOT NULL,
	`last_seen` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alarm_rule_states` (
	`device_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`device_type` text NOT NULL,
	`status` text NOT NULL,
	`since` integer NOT NULL,
	`value` real,
	`position_stream` text,
	`position_offset` integer,
	`alarm_id` text,
	PRIMARY KEY(`device_id`, `rule_id`)
);
