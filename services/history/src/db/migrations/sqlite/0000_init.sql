-- Edited by hand after drizzle-kit generate: the point, roll-up and trend tables are WITHOUT ROWID
-- (their primary key is the table; drizzle-kit cannot say so).
CREATE TABLE `raw_points` (
	`series_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`series_id`, `ts`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rollup_1h` (
	`series_id` integer NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer NOT NULL,
	`sum` real NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`last` real NOT NULL,
	`last_ts` integer NOT NULL,
	PRIMARY KEY(`series_id`, `bucket`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rollup_1m` (
	`series_id` integer NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer NOT NULL,
	`sum` real NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`last` real NOT NULL,
	`last_ts` integer NOT NULL,
	PRIMARY KEY(`series_id`, `bucket`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`metric` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_device_metric` ON `series` (`device_id`,`metric`);--> statement-breakpoint
CREATE TABLE `trends_5m` (
	`series_id` integer NOT NULL,
	`bucket` integer NOT NULL,
	`avg` real NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`last` real NOT NULL,
	PRIMARY KEY(`series_id`, `bucket`)
) WITHOUT ROWID;
