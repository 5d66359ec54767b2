/**
 * The SQLite schema (drizzle). Migrations in ./migrations are generated from this
 * file with `npm run db:generate`; never edit a generated migration by hand.
 */

import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const jobs = sqliteTable(
  "jobs",
  {
    /** UUIDv7: unique, and sorts by creation time. */
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    status: text("status", { enum: ["queued", "running", "completed", "failed", "cancelled"] }).notNull(),
    progress: integer("progress").notNull().default(0),
    /** Last progress payload (phase, bytes, spans, rate, eta) as JSON. */
    state: text("state"),
    result: text("result"),
    error: text("error"),
    details: text("details"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    /** Spooled input file, relative to the data directory. */
    inputPath: text("input_path"),
    inputName: text("input_name"),
    inputSize: integer("input_size"),
    inputFormat: text("input_format"),
    /** Other task options (e.g. strict) as JSON. */
    options: text("options").notNull().default("{}"),
  },
  (t) => [index("jobs_status_id").on(t.status, t.id)],
);

export const jobEvents = sqliteTable(
  "job_events",
  {
    /** Monotonic across the whole store: it is the SSE `id:`. */
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    type: text("type", { enum: ["progress", "completed", "failed", "cancelled"] }).notNull(),
    data: text("data").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("job_events_job_id").on(t.jobId, t.id)],
);

export const spans = sqliteTable(
  "spans",
  {
    traceId: text("trace_id").notNull(),
    spanId: text("span_id").notNull(),
    parentSpanId: text("parent_span_id"),
    name: text("name").notNull(),
    /** OTLP SpanKind number: 0 unspecified .. 5 consumer. */
    kind: integer("kind").notNull().default(0),
    service: text("service"),
    /** Nanoseconds since the epoch; SQLite INTEGER is 64-bit, so these are exact. */
    startNs: integer("start_ns"),
    endNs: integer("end_ns"),
    statusCode: integer("status_code").notNull().default(0),
    statusMessage: text("status_message"),
    traceState: text("trace_state"),
    flags: integer("flags"),
    /** OTLP KeyValue[] as JSON, normalised (intValue as string, bytes as base64). */
    attributes: text("attributes").notNull().default("[]"),
    events: text("events").notNull().default("[]"),
    links: text("links").notNull().default("[]"),
    resource: text("resource").notNull().default("[]"),
    scope: text("scope"),
    /** OTLP ResourceSpans.schema_url and ScopeSpans.schema_url. */
    resourceSchemaUrl: text("resource_schema_url"),
    scopeSchemaUrl: text("scope_schema_url"),
    /** OTLP dropped_attributes_count, dropped_events_count, dropped_links_count of the span. */
    droppedAttributesCount: integer("dropped_attributes_count").notNull().default(0),
    droppedEventsCount: integer("dropped_events_count").notNull().default(0),
    droppedLinksCount: integer("dropped_links_count").notNull().default(0),
    /** The job that first stored this span; a cancelled or re-run job removes its own. */
    jobId: text("job_id").notNull(),
  },
  (t) => [uniqueIndex("spans_trace_span").on(t.traceId, t.spanId), index("spans_job_id").on(t.jobId)],
);

export type JobRow = typeof jobs.$inferSelect;
export type JobEventRow = typeof jobEvents.$inferSelect;


/**
 * One row per stored trace, recomputed from its spans at the end of every import
 * (and after a cancel removes spans), so the trace list never aggregates the
 * spans table at query time.
 */
export const traces = sqliteTable(
  "traces",
  {
    traceId: text("trace_id").primaryKey(),
    startNs: integer("start_ns"),
    endNs: integer("end_ns"),
    spanCount: integer("span_count").notNull(),
    errorCount: integer("error_count").notNull(),
    rootService: text("root_service"),
    rootName: text("root_name"),
  },
  (t) => [index("traces_start").on(t.startNs, t.traceId)],
);

/** The services of each trace, for the service filter. */
export const traceServices = sqliteTable(
  "trace_services",
  {
    service: text("service").notNull(),
    traceId: text("trace_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.service, t.traceId] }), index("trace_services_trace").on(t.traceId)],
);
