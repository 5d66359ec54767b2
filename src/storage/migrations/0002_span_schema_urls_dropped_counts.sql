ALTER TABLE `spans` ADD `resource_schema_url` text;--> statement-breakpoint
ALTER TABLE `spans` ADD `scope_schema_url` text;--> statement-breakpoint
ALTER TABLE `spans` ADD `dropped_attributes_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `spans` ADD `dropped_events_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `spans` ADD `dropped_links_count` integer DEFAULT 0 NOT NULL;