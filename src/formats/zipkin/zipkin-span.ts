import { normaliseId, normaliseParentId } from "../ids.ts";
import { microsToNanos, statusFromOtelTag } from "../span-kinds.ts";
import { RecordError, type KeyValue, type NormalisedSpan, type SpanEvent, type Warning } from "../types.ts";

const KINDS: Record<string, number> = { CLIENT: 3, SERVER: 2, PRODUCER: 4, CONSUMER: 5 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const fail = (msg: string): never => {
  throw new RecordError(msg);
};

function str(key: string, value: string): KeyValue {
  return { key, value: { stringValue: value } };
}

function endpointAttributes(ep: unknown, prefix: "host" | "peer"): KeyValue[] {
  if (!isObject(ep)) return [];
  const out: KeyValue[] = [];
  if (prefix === "peer" && typeof ep.serviceName === "string" && ep.serviceName !== "") out.push(str("peer.service", ep.serviceName));
  const ip = typeof ep.ipv4 === "string" ? ep.ipv4 : typeof ep.ipv6 === "string" ? ep.ipv6 : null;
  if (ip) out.push(str(`net.${prefix}.ip`, ip));
  if (typeof ep.port === "number" && Number.isInteger(ep.port)) out.push({ key: `net.${prefix}.port`, value: { intValue: String(ep.port) } });
  return out;
}

/**
 * One Zipkin v2 span to the normalised shape. Ids are hex (short ones
 * left-padded); times are microseconds. The local endpoint's service is the
 * span's service; the remote endpoint becomes peer.* attributes; tags become
 * string attributes, an `error` tag marks the status as error; annotations
 * become events.
 */
export function normaliseZipkinSpan(raw: unknown, warnings: Warning[]): NormalisedSpan {
  if (!isObject(raw)) throw new RecordError("span is not an object");
  const hexOnly = { base64: false };
  const trace = normaliseId(raw.traceId, 16, "traceId", hexOnly);
  const span = normaliseId(raw.id, 8, "id", hexOnly);
  const parent = normaliseParentId(raw.parentId, "parentId", hexOnly);
  for (const r of [trace, span, parent]) if (r?.warning) warnings.push({ message: r.warning, strictError: r.nonStandard });
  if (raw.name !== undefined && raw.name !== null && typeof raw.name !== "string") throw new RecordError("name is not a string");

  let kind = 0;
  if (raw.kind !== undefined && raw.kind !== null) {
    const k = typeof raw.kind === "string" ? KINDS[raw.kind.toUpperCase()] : undefined;
    if (k === undefined) throw new RecordError(`kind ${JSON.stringify(raw.kind)} is not CLIENT, SERVER, PRODUCER or CONSUMER`);
    kind = k;
  }
  const startNs = microsToNanos(raw.timestamp, "timestamp", fail);
  const durationNs = microsToNanos(raw.duration, "duration", fail);
  if (startNs === null) warnings.push({ message: "span has no timestamp" });
  if (durationNs === null) warnings.push({ message: "span has no duration; kept without an end time" });

  let statusCode = 0;
  let statusMessage: string | null = null;
  const attributes: KeyValue[] = [];
  if (raw.tags !== undefined && raw.tags !== null) {
    if (!isObject(raw.tags)) throw new RecordError("tags is not an object");
    for (const [key, v] of Object.entries(raw.tags)) {
      const value = typeof v === "string" ? v : JSON.stringify(v);
      if (key === "otel.status_code" && statusFromOtelTag(value) !== null) {
        statusCode = statusFromOtelTag(value)!;
        continue;
      }
      if (key === "otel.status_description") {
        statusMessage = value;
        continue;
      }
      if (key === "error") {
        if (statusCode === 0) statusCode = 2;
        if (statusMessage === null && value !== "" && value !== "true") statusMessage = value;
      }
      attributes.push(str(key, value));
    }
  }
  attributes.push(...endpointAttributes(raw.localEndpoint, "host"), ...endpointAttributes(raw.remoteEndpoint, "peer"));

  const annotations = raw.annotations ?? [];
  if (!Array.isArray(annotations)) throw new RecordError("annotations is not an array");
  const events: SpanEvent[] = annotations.map((a: unknown, i) => {
    if (!isObject(a)) throw new RecordError(`annotations[${i}] is not an object`);
    const time = microsToNanos(a.timestamp, `annotations[${i}].timestamp`, fail);
    return { timeUnixNano: time === null ? null : time.toString(), name: typeof a.value === "string" ? a.value : "", attributes: [] };
  });

  const service = isObject(raw.localEndpoint) && typeof raw.localEndpoint.serviceName === "string" && raw.localEndpoint.serviceName !== "" ? raw.localEndpoint.serviceName : null;
  return {
    traceId: trace.hex,
    spanId: span.hex,
    parentSpanId: parent?.hex ?? null,
    name: (raw.name as string | undefined | null) ?? "",
    kind,
    service,
    startNs,
    endNs: startNs !== null && durationNs !== null ? startNs + durationNs : null,
    statusCode,
    statusMessage,
    traceState: null,
    flags: null,
    attributes,
    events,
    links: [],
    resource: service === null ? [] : [str("service.name", service)],
    scope: null,
    resourceSchemaUrl: null,
    scopeSchemaUrl: null,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
