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
      resource: { attributes: r.resource },
      scopeSpans: [...r.scopes.values()].map((sc) => ({
        ...(sc.scope === null ? {} : { scope: sc.scope }),
        spans: sc.spans,
        ...(sc.schemaUrl === null ? {} : { schemaUrl: sc.schemaUrl }),
      })),
      ...(r.schemaUrl === null ? {} : { schemaUrl: r.schemaUrl }),
    })),
  };
}

function otlpSpan(s: StoredSpan) {
  const out: Record<string, unknown> = { traceId: s.traceId, spanId: s.spanId };
  if (s.traceState !== null) out.traceState = s.traceState;
  if (s.parentSpanId !== null) out.parentSpanId = s.parentSpanId;
  if (s.flags !== null) out.flags = s.flags;
  out.name = s.name;
  out.kind = s.kind;
  if (s.startTimeUnixNano !== null) out.startTimeUnixNano = s.startTimeUnixNano;
  if (s.endTimeUnixNano !== null) out.endTimeUnixNano = s.endTimeUnixNano;
  out.attributes = s.attributes;
  if (s.droppedAttributesCount) out.droppedAttributesCount = s.droppedAttributesCount;
  out.events = s.events.map((e) => {
    const ev: Record<string, unknown> = {};
    if (e.timeUnixNano !== null) ev.timeUnixNano = e.timeUnixNano;
    ev.name = e.name;
    ev.attributes = e.attributes;
    if (e.droppedAttributesCount) ev.droppedAttributesCount = e.droppedAttributesCount;
    return ev;
  });
  if (s.droppedEventsCount) out.droppedEventsCount = s.droppedEventsCount;
  out.links = s.links;
  if (s.droppedLinksCount) out.droppedLinksCount = s.droppedLinksCount;
  const status: Record<string, unknown> = {};
  if (s.statusCode !== 0) status.code = s.statusCode;
  if (s.statusMessage !== null) status.message = s.statusMessage;
  out.status = status;
  return out;
}
