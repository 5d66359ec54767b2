CREATE TABLE `trace_services` (
	`service` text NOT NULL,
	`trace_id` text NOT NULL,
	PRIMARY KEY(`service`, `trace_id`)
);
--> statement-breakpoint
CREATE INDEX `trace_services_trace` ON `trace_services` (`trace_id`);--> statement-breakpoint
CREATE TABLE `traces` (
	`trace_id` text PRIMARY KEY NOT NULL,
	`start_ns` integer,
	`end_ns` integer,
	`span_count` integer NOT NULL,
	`error_count` integer NOT NULL,
	`root_service` text,
	`root_name` text
);
--> statement-breakpoint
CREATE INDEX `traces_start` ON `traces` (`start_ns`,`trace_id`);