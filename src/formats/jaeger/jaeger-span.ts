import { normaliseId, normaliseParentId } from "../ids.ts";
import { KIND_BY_NAME, microsToNanos, statusFromOtelTag } from "../span-kinds.ts";
import { RecordError, type AnyValue, type KeyValue, type NormalisedSpan, type SpanEvent, type SpanLink, type Warning } from "../types.ts";

export interface JaegerProcess {
  serviceName: string | null;
  tags: KeyValue[];
  /** service.name and the process tags: built once, shared by the process's spans. */
  resource: KeyValue[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const fail = (msg: string): never => {
  throw new RecordError(msg);
};

/** One Jaeger tag or log field ({key, type, value}) as an OTLP KeyValue. Int64 stays exact. */
export function jaegerTag(tag: unknown, where: string): KeyValue {
  if (!isObject(tag) || typeof tag.key !== "string") throw new RecordError(`${where} has no string key`);
  const type = typeof tag.type === "string" ? tag.type.toLowerCase() : undefined;
  const v = tag.value;
  let value: AnyValue;
  switch (type) {
    case "string":
      value = { stringValue: v === null || v === undefined ? "" : String(v) };
      break;
    case "bool":
      if (typeof v === "boolean") value = { boolValue: v };
      else if (v === "true" || v === "false") value = { boolValue: v === "true" };
      else throw new RecordError(`${where} (${tag.key}) is typed bool but holds ${JSON.stringify(v)}`);
      break;
    case "int64":
      if (typeof v === "number" && Number.isInteger(v)) value = { intValue: String(v) };
      else if (typeof v === "string" && /^-?\d+$/.test(v)) value = { intValue: v };
      else throw new RecordError(`${where} (${tag.key}) is typed int64 but holds ${JSON.stringify(v)}`);
      break;
    case "float64":
      if (typeof v === "number") value = { doubleValue: v };
      else if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) value = { doubleValue: Number(v) };
      else if (v === "NaN" || v === "Infinity" || v === "-Infinity") value = { doubleValue: v };
      else throw new RecordError(`${where} (${tag.key}) is typed float64 but holds ${JSON.stringify(v)}`);
      break;
    case "binary":
      if (typeof v !== "string") throw new RecordError(`${where} (${tag.key}) is typed binary but is not base64 text`);
      value = { bytesValue: v };
      break;
    case undefined:
      // Untyped (some UIs drop the type): go by the JSON value.
      if (typeof v === "boolean") value = { boolValue: v };
      else if (typeof v === "number") value = Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
      else value = { stringValue: v === null || v === undefined ? "" : String(v) };
      break;
    default:
      throw new RecordError(`${where} (${tag.key}) has an unknown type ${JSON.stringify(tag.type)}`);
  }
  return { key: tag.key, value };
}

export function jaegerTags(list: unknown, where: string): KeyValue[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new RecordError(`${where} is not an array`);
  return list.map((t, i) => jaegerTag(t, `${where}[${i}]`));
}

export function jaegerProcess(raw: unknown, where: string): JaegerProcess {
  if (!isObject(raw)) return NO_PROCESS;
  const serviceName = typeof raw.serviceName === "string" && raw.serviceName !== "" ? raw.serviceName : null;
  const tags = jaegerTags(raw.tags, `${where}.tags`);
  const resource: KeyValue[] = serviceName === null ? tags : [{ key: "service.name", value: { stringValue: serviceName } }, ...tags];
  return { serviceName, tags, resource };
}

export const NO_PROCESS: JaegerProcess = { serviceName: null, tags: [], resource: [] };

function stringOf(v: AnyValue): string | null {
  return "stringValue" in v ? v.stringValue : "boolValue" in v ? String(v.boolValue) : null;
}

/**
 * One Jaeger span (query API / UI JSON) to the normalised shape.
 * - The first CHILD_OF reference within the same trace is the parent; every
 *   other reference (FOLLOWS_FROM, further CHILD_OFs, references into other
 *   traces) becomes a link tagged `opentracing.ref_type`, as Jaeger's own
 *   OTLP translator does. Nested `references[].span` copies (the Jaeger UI's
 *   in-memory form) are never followed.
 * - `span.kind`, `otel.status_code` and `otel.status_description` tags become
 *   the kind and status; an `error` tag that is true marks the status as error.
 * - Logs become events, named by their `event` field.
 * - Times are microseconds; a span without a duration is kept, with no end.
 */
export function normaliseJaegerSpan(raw: unknown, process: JaegerProcess, warnings: Warning[]): NormalisedSpan {
  if (!isObject(raw)) throw new RecordError("span is not an object");
  const hexOnly = { base64: false };
  const trace = normaliseId(raw.traceID, 16, "traceID", hexOnly);
  const span = normaliseId(raw.spanID, 8, "spanID", hexOnly);
  for (const r of [trace, span]) if (r.warning) warnings.push({ message: r.warning, strictError: r.nonStandard });
  if (raw.operationName !== undefined && typeof raw.operationName !== "string") throw new RecordError("operationName is not a string");

  let parent: string | null = null;
  const links: SpanLink[] = [];
  const refs = raw.references ?? [];
  if (!Array.isArray(refs)) throw new RecordError("references is not an array");
  refs.forEach((ref: unknown, i) => {
    if (!isObject(ref)) throw new RecordError(`references[${i}] is not an object`);
    const refTrace = ref.traceID === undefined ? trace.hex : normaliseId(ref.traceID, 16, `references[${i}].traceID`, hexOnly).hex;
    const refSpan = normaliseId(ref.spanID, 8, `references[${i}].spanID`, hexOnly).hex;
    const type = typeof ref.refType === "string" ? ref.refType.toUpperCase() : "CHILD_OF";
    if (type !== "CHILD_OF" && type !== "FOLLOWS_FROM") throw new RecordError(`references[${i}].refType ${JSON.stringify(ref.refType)} is not CHILD_OF or FOLLOWS_FROM`);
    if (parent === null && type === "CHILD_OF" && refTrace === trace.hex) {
      parent = refSpan;
    } else {
      links.push({
        traceId: refTrace,
        spanId: refSpan,
        attributes: [{ key: "opentracing.ref_type", value: { stringValue: type === "CHILD_OF" ? "child_of" : "follows_from" } }],
      });
    }
  });
  if (refs.length === 0 && raw.parentSpanID !== undefined) {
    const p = normaliseParentId(raw.parentSpanID, "parentSpanID", hexOnly);
    if (p?.warning) warnings.push({ message: p.warning, strictError: p.nonStandard });
    parent = p?.hex ?? null;
  }

  const startNs = microsToNanos(raw.startTime, "startTime", fail);
  const durationNs = microsToNanos(raw.duration, "duration", fail);
  if (startNs === null) warnings.push({ message: "span has no startTime" });
  if (durationNs === null) warnings.push({ message: "span has no duration; kept without an end time" });

  let kind = 0;
  let statusCode = 0;
  let statusMessage: string | null = null;
  const attributes: KeyValue[] = [];
  for (const kv of jaegerTags(raw.tags, "tags")) {
    const s = stringOf(kv.value);
    if (kv.key === "span.kind" && s !== null && s.toLowerCase() in KIND_BY_NAME) {
      kind = KIND_BY_NAME[s.toLowerCase()]!;
      continue;
    }
    if (kv.key === "otel.status_code" && s !== null && statusFromOtelTag(s) !== null) {
      statusCode = statusFromOtelTag(s)!;
      continue;
    }
    if (kv.key === "otel.status_description" && s !== null) {
      statusMessage = s;
      continue;
    }
    if (kv.key === "error" && s === "true" && statusCode === 0) statusCode = 2;
    attributes.push(kv);
  }

  const logs = raw.logs ?? [];
  if (!Array.isArray(logs)) throw new RecordError("logs is not an array");
  const events: SpanEvent[] = logs.map((log: unknown, i) => {
    if (!isObject(log)) throw new RecordError(`logs[${i}] is not an object`);
    const time = microsToNanos(log.timestamp, `logs[${i}].timestamp`, fail);
    const fields = jaegerTags(log.fields, `logs[${i}].fields`);
    const nameField = fields.find((f) => f.key === "event" && "stringValue" in f.value);
    return {
      timeUnixNano: time === null ? null : time.toString(),
      name: nameField ? (nameField.value as { stringValue: string }).stringValue : "",
      attributes: nameField ? fields.filter((f) => f !== nameField) : fields,
    };
  });

  const resource = process.resource;
  return {
    traceId: trace.hex,
    spanId: span.hex,
    parentSpanId: parent,
    name: (raw.operationName as string | undefined) ?? "",
    kind,
    service: process.serviceName,
    startNs,
    endNs: startNs !== null && durationNs !== null ? startNs + durationNs : null,
    statusCode,
    statusMessage,
    traceState: null,
    flags: null,
    attributes,
    events,
    links,
    resource,
    scope: null,
    resourceSchemaUrl: null,
    scopeSchemaUrl: null,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
