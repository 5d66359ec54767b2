import type { NormalisedSpan } from "../../formats/types.ts";

/**
 * A span as the spans table stores it, flattened: the row's values in column
 * order, the JSON columns already serialised. Batches of rows are one flat
 * array (ROW_WIDTH values per span), which is what crosses from the import's
 * reader thread to the thread that inserts: one array of strings and numbers
 * is cheap to copy between threads, a tree of span objects is not.
 */
export const SPAN_COLUMNS = [
  "trace_id", "span_id", "parent_span_id", "name", "kind", "service", "start_ns", "end_ns", "status_code",
  "status_message", "trace_state", "flags", "attributes", "events", "links", "resource", "scope",
  "resource_schema_url", "scope_schema_url", "dropped_attributes_count", "dropped_events_count", "dropped_links_count",
] as const;

export const ROW_WIDTH = SPAN_COLUMNS.length;

/** Offsets of the values the trace summaries need. */
export const COL = {
  traceId: 0,
  spanId: 1,
  parentSpanId: 2,
  name: 3,
  service: 5,
  startNs: 6,
  endNs: 7,
  statusCode: 8,
} as const;

export type SpanRowValue = string | number | bigint | null;

/**
 * Appends one span's row to `rows`. Readers hand every span of one resource
 * (or scope) block the same object, so `shared` serialises it once per block.
 */
export class SpanRowBuilder {
  private readonly sharedJson = new WeakMap<object, string>();

  append(rows: SpanRowValue[], s: NormalisedSpan): void {
    rows.push(
      s.traceId,
      s.spanId,
      s.parentSpanId,
      s.name,
      s.kind,
      s.service,
      s.startNs,
      s.endNs,
      s.statusCode,
      s.statusMessage,
      s.traceState,
      s.flags,
      JSON.stringify(s.attributes),
      // Most spans have no events and no links.
      s.events.length === 0 ? "[]" : JSON.stringify(s.events),
      s.links.length === 0 ? "[]" : JSON.stringify(s.links),
      this.shared(s.resource),
      s.scope === null ? null : this.shared(s.scope),
      s.resourceSchemaUrl,
      s.scopeSchemaUrl,
      s.droppedAttributesCount,
      s.droppedEventsCount,
      s.droppedLinksCount,
    );
  }

  /** The rows of a batch of spans. */
  build(spans: readonly NormalisedSpan[]): SpanRowValue[] {
    const rows: SpanRowValue[] = [];
    for (const s of spans) this.append(rows, s);
    return rows;
  }

  private shared(value: object): string {
    let json = this.sharedJson.get(value);
    if (json === undefined) this.sharedJson.set(value, (json = JSON.stringify(value)));
    return json;
  }
}
