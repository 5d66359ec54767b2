import { normaliseId, normaliseParentId } from "../ids.ts";
import { RecordError, type InstrumentationScope, type KeyValue, type NormalisedSpan, type SpanEvent, type SpanLink, type Warning } from "../types.ts";
import { normaliseKeyValues, stringAttribute } from "./any-value.ts";

/** Resource and scope shared by the spans of one scopeSpans block. */
export interface SpanContext {
  resource: KeyValue[];
  service: string | null;
  scope: InstrumentationScope | null;
  /** ResourceSpans.schemaUrl and ScopeSpans.schemaUrl; absent, null or "" is null. */
  resourceSchemaUrl?: string | null;
  scopeSchemaUrl?: string | null;
}

/** A schemaUrl field as stored: a non-empty string, or null. */
export function schemaUrlOf(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function enumValue(v: unknown, names: Record<string, number>, max: number, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max) return v;
  if (typeof v === "string" && v in names) return names[v]!;
  throw new RecordError(`${what} ${JSON.stringify(v)} is not a known value`);
}

/** A uint64 nanosecond timestamp as a BigInt (exact), or null when absent or zero. */
export function nanos(v: unknown, what: string): bigint | null {
  if (v === undefined || v === null || v === "" || v === 0 || v === "0") return null;
  if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return BigInt(v);
  throw new RecordError(`${what} ${JSON.stringify(v)} is not a nanosecond timestamp`);
}

export function scopeOf(raw: unknown): InstrumentationScope | null {
  if (!isObject(raw)) return null;
  const scope: InstrumentationScope = { name: typeof raw.name === "string" ? raw.name : "" };
  if (typeof raw.version === "string" && raw.version !== "") scope.version = raw.version;
  const attributes = normaliseKeyValues(raw.attributes, "scope.attributes");
  if (attributes.length) scope.attributes = attributes;
  return scope.name === "" && !scope.version && !scope.attributes ? null : scope;
}

export function resourceContext(raw: unknown): { resource: KeyValue[]; service: string | null } {
  const resource = normaliseKeyValues(isObject(raw) ? raw.attributes : undefined, "resource.attributes");
  return { resource, service: stringAttribute(resource, "service.name") };
}

function optionalCount(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

/**
 * One OTLP JSON span to the normalised shape. Throws RecordError for a span that
 * cannot be stored; pushes to `warnings` what was accepted but is unusual.
 */
export function normaliseOtlpSpan(raw: unknown, ctx: SpanContext, warnings: Warning[]): NormalisedSpan {
  if (!isObject(raw)) throw new RecordError("span is not an object");
  const trace = normaliseId(raw.traceId, 16, "traceId");
  const span = normaliseId(raw.spanId, 8, "spanId");
  const parent = normaliseParentId(raw.parentSpanId, "parentSpanId");
  for (const r of [trace, span, parent]) if (r?.warning) warnings.push({ message: r.warning, strictError: r.nonStandard });
  if (raw.name !== undefined && typeof raw.name !== "string") throw new RecordError("name is not a string");
  const startNs = nanos(raw.startTimeUnixNano, "startTimeUnixNano");
  const endNs = nanos(raw.endTimeUnixNano, "endTimeUnixNano");
  if (startNs === null) warnings.push({ message: "span has no start time" });
  else if (endNs === null) warnings.push({ message: "span has no end time (duration unknown)" });
  else if (endNs < startNs) warnings.push({ message: "span ends before it starts" });
  const status = isObject(raw.status) ? raw.status : {};
  const events: SpanEvent[] = (Array.isArray(raw.events) ? raw.events : []).map((e: unknown, i) => {
    if (!isObject(e)) throw new RecordError(`events[${i}] is not an object`);
    const time = nanos(e.timeUnixNano, `events[${i}].timeUnixNano`);
    const ev: SpanEvent = {
      timeUnixNano: time === null ? null : time.toString(),
      name: typeof e.name === "string" ? e.name : "",
      attributes: normaliseKeyValues(e.attributes, `events[${i}].attributes`),
    };
    const dropped = optionalCount(e.droppedAttributesCount);
    if (dropped) ev.droppedAttributesCount = dropped;
    return ev;
  });
  const links: SpanLink[] = (Array.isArray(raw.links) ? raw.links : []).map((l: unknown, i) => {
    if (!isObject(l)) throw new RecordError(`links[${i}] is not an object`);
    const link: SpanLink = {
      traceId: normaliseId(l.traceId, 16, `links[${i}].traceId`).hex,
      spanId: normaliseId(l.spanId, 8, `links[${i}].spanId`).hex,
      attributes: normaliseKeyValues(l.attributes, `links[${i}].attributes`),
    };
    if (typeof l.traceState === "string" && l.traceState !== "") link.traceState = l.traceState;
    if (typeof l.flags === "number" && l.flags !== 0) link.flags = l.flags;
    const dropped = optionalCount(l.droppedAttributesCount);
    if (dropped) link.droppedAttributesCount = dropped;
    return link;
  });
  return {
    traceId: trace.hex,
    spanId: span.hex,
    parentSpanId: parent?.hex ?? null,
    name: (raw.name as string | undefined) ?? "",
    kind: enumValue(raw.kind, KIND_NAMES, 5, "kind"),
    service: ctx.service,
    startNs,
    endNs,
    statusCode: enumValue(status.code, STATUS_NAMES, 2, "status.code"),
    statusMessage: typeof status.message === "string" && status.message !== "" ? status.message : null,
    traceState: typeof raw.traceState === "string" && raw.traceState !== "" ? raw.traceState : null,
    flags: typeof raw.flags === "number" && raw.flags !== 0 ? raw.flags : null,
    attributes: normaliseKeyValues(raw.attributes, "attributes"),
    events,
    links,
    resource: ctx.resource,
    scope: ctx.scope,
    resourceSchemaUrl: ctx.resourceSchemaUrl ?? null,
    scopeSchemaUrl: ctx.scopeSchemaUrl ?? null,
    droppedAttributesCount: optionalCount(raw.droppedAttributesCount) ?? 0,
    droppedEventsCount: optionalCount(raw.droppedEventsCount) ?? 0,
    droppedLinksCount: optionalCount(raw.droppedLinksCount) ?? 0,
  };
}
