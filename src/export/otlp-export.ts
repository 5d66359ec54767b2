import type { StoredSpan } from "../storage/traces/stored-span.ts";

/**
 * Stored spans as one OTLP JSON ExportTraceServiceRequest. Spans are grouped by
 * resource and scope (in first-seen order), and every field the importer
 * stores is written back, so importing the export gives identical spans.
 */
export function toOtlpRequest(spans: readonly StoredSpan[]) {
  type Scope = { scope: StoredSpan["scope"]; schemaUrl: string | null; spans: unknown[] };
  const resources = new Map<string, { resource: StoredSpan["resource"]; schemaUrl: string | null; scopes: Map<string, Scope> }>();
  for (const s of spans) {
    const rKey = JSON.stringify([s.resource, s.resourceSchemaUrl]);
    let r = resources.get(rKey);
    if (!r) resources.set(rKey, (r = { resource: s.resource, schemaUrl: s.resourceSchemaUrl, scopes: new Map() }));
    const sKey = JSON.stringify([s.scope, s.scopeSchemaUrl]);
    let sc = r.scopes.get(sKey);
    if (!sc) r.scopes.set(sKey, (sc = { scope: s.scope, schemaUrl: s.scopeSchemaUrl, spans: [] }));
    sc.spans.push(otlpSpan(s));
  }
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: r.resource.length ? { attributes: r.resource } : {},
      scopeSpans: [...r.scopes.values()].map((sc) => ({
        ...(sc.scope === null ? {} : { scope: sc.scope }),
        spans: sc.spans,
        ...(sc.schemaUrl === null ? {} : { schemaUrl: sc.schemaUrl }),
      })),
      ...(r.schemaUrl === null ? {} : { schemaUrl: r.schemaUrl }),
    })),
  };
}

/** KeyValue lists, events and links are written only when non-empty (protojson omits empty repeated fields). */
function withAttributes<T extends { attributes: unknown[] }>(x: T): Omit<T, "attributes"> | T {
  if (x.attributes.length > 0) return x;
  const { attributes: _, ...rest } = x;
  return rest;
}

/**
 * One span in OTLP's JSON mapping with protojson's conventions: int64 values
 * as decimal strings, ids as hex (OTLP/JSON's exception to base64), fields at
 * their default value (0, "", empty lists, an empty status) left out.
 */
function otlpSpan(s: StoredSpan) {
  const out: Record<string, unknown> = { traceId: s.traceId, spanId: s.spanId };
  if (s.traceState !== null) out.traceState = s.traceState;
  if (s.parentSpanId !== null) out.parentSpanId = s.parentSpanId;
  if (s.flags !== null) out.flags = s.flags;
  if (s.name !== "") out.name = s.name;
  if (s.kind !== 0) out.kind = s.kind;
  if (s.startTimeUnixNano !== null) out.startTimeUnixNano = s.startTimeUnixNano;
  if (s.endTimeUnixNano !== null) out.endTimeUnixNano = s.endTimeUnixNano;
  if (s.attributes.length) out.attributes = s.attributes;
  if (s.droppedAttributesCount) out.droppedAttributesCount = s.droppedAttributesCount;
  if (s.events.length) {
    out.events = s.events.map((e) => {
      const ev: Record<string, unknown> = {};
      if (e.timeUnixNano !== null) ev.timeUnixNano = e.timeUnixNano;
      if (e.name !== "") ev.name = e.name;
      if (e.attributes.length) ev.attributes = e.attributes;
      if (e.droppedAttributesCount) ev.droppedAttributesCount = e.droppedAttributesCount;
      return ev;
    });
  }
  if (s.droppedEventsCount) out.droppedEventsCount = s.droppedEventsCount;
  if (s.links.length) out.links = s.links.map(withAttributes);
  if (s.droppedLinksCount) out.droppedLinksCount = s.droppedLinksCount;
  const status: Record<string, unknown> = {};
  if (s.statusCode !== 0) status.code = s.statusCode;
  if (s.statusMessage !== null) status.message = s.statusMessage;
  if (Object.keys(status).length) out.status = status;
  return out;
}
