ALTER TABLE `spans` ADD `resource_schema_url` text;--> statement-breakpoint
ALTER TABLE `spans` ADD `scope_schema_url` text;