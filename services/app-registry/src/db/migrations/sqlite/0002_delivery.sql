ALTER TABLE `applications` ADD COLUMN `webhook_url` text;--> statement-breakpoint
ALTER TABLE `applications` ADD COLUMN `webhook_secret` text;--> statement-breakpoint
ALTER TABLE `applications` ADD COLUMN `webhook_event_types` text;
