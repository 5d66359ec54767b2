import type { InstrumentationScope, KeyValue, SpanEvent, SpanLink } from "../../formats/types.ts";

/** A span as read back from the store; nanosecond times as decimal strings (exact). */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  service: string | null;
  startTimeUnixNano: string | null;
  endTimeUnixNano: string | null;
  statusCode: number;
  statusMessage: string | null;
  traceState: string | null;
  flags: number | null;
  attributes: KeyValue[];
  events: SpanEvent[];
  links: SpanLink[];
  resource: KeyValue[];
  scope: InstrumentationScope | null;
  resourceSchemaUrl: string | null;
  scopeSchemaUrl: string | null;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  jobId: string;
}

/** Columns to select: integers beyond 2^53 come back as text so they stay exact. */
export const STORED_SPAN_COLUMNS = `trace_id, span_id, parent_span_id, name, kind, service,
  CAST(start_ns AS TEXT) AS start_ns, CAST(end_ns AS TEXT) AS end_ns, status_code, status_message,
  trace_state, flags, attributes, events, links, resource, scope, resource_schema_url, scope_schema_url,
  dropped_attributes_count, dropped_events_count, dropped_links_count, job_id`;

export function toStoredSpan(r: Record<string, unknown>): StoredSpan {
  return {
    traceId: r.trace_id as string,
    spanId: r.span_id as string,
    parentSpanId: r.parent_span_id as string | null,
    name: r.name as string,
    kind: r.kind as number,
    service: r.service as string | null,
    startTimeUnixNano: r.start_ns as string | null,
    endTimeUnixNano: r.end_ns as string | null,
    statusCode: r.status_code as number,
    statusMessage: r.status_message as string | null,
    traceState: r.trace_state as string | null,
    flags: r.flags as number | null,
    attributes: JSON.parse(r.attributes as string),
    events: JSON.parse(r.events as string),
    links: JSON.parse(r.links as string),
    resource: JSON.parse(r.resource as string),
    scope: r.scope === null ? null : JSON.parse(r.scope as string),
    resourceSchemaUrl: (r.resource_schema_url as string | null) ?? null,
    scopeSchemaUrl: (r.scope_schema_url as string | null) ?? null,
    droppedAttributesCount: Number(r.dropped_attributes_count ?? 0),
    droppedEventsCount: Number(r.dropped_events_count ?? 0),
    droppedLinksCount: Number(r.dropped_links_count ?? 0),
    jobId: r.job_id as string,
  };
}
