CREATE TABLE `job_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `job_events_job_id` ON `job_events` (`job_id`,`id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`state` text,
	`result` text,
	`error` text,
	`details` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`input_path` text,
	`input_name` text,
	`input_size` integer,
	`input_format` text,
	`options` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_status_id` ON `jobs` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `spans` (
	`trace_id` text NOT NULL,
	`span_id` text NOT NULL,
	`parent_span_id` text,
	`name` text NOT NULL,
	`kind` integer DEFAULT 0 NOT NULL,
	`service` text,
	`start_ns` integer,
	`end_ns` integer,
	`status_code` integer DEFAULT 0 NOT NULL,
	`status_message` text,
	`trace_state` text,
	`flags` integer,
	`attributes` text DEFAULT '[]' NOT NULL,
	`events` text DEFAULT '[]' NOT NULL,
	`links` text DEFAULT '[]' NOT NULL,
	`resource` text DEFAULT '[]' NOT NULL,
	`scope` text,
	`job_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `spans_trace_span` ON `spans` (`trace_id`,`span_id`);--> statement-breakpoint
CREATE INDEX `spans_job_id` ON `spans` (`job_id`);