/**
 * Deterministic trace-file generator for benchmarks.
 *
 *   bun bench/generate.ts --format otlp-jsonl --spans 1000000 --seed 42 --out bench/out/x.jsonl
 *   bun bench/generate.ts --format otlp-json --bytes 500m --out bench/out/doc.json
 *
 * Realistic shapes: traces of 5–50 spans in a tree, 10 services, 5–20 attributes
 * of mixed types per span, events on about one span in five, errors on about
 * one in twenty. The same seed and size give the same bytes.
 * Formats: otlp-jsonl (one request per trace per line), otlp-json (one
 * document), jaeger ({"data": [traces]}), zipkin (an array of spans),
 * otlp-proto-stream (one binary ExportTraceServiceRequest per trace, each
 * preceded by its length as 4 bytes big-endian, as the Collector's file
 * exporter writes with `format: proto`), otlp-proto (one binary
 * ExportTraceServiceRequest holding every trace's ResourceSpans). The protobuf
 * formats encode the same requests as otlp-jsonl, field for field.
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { parseArgs } from "node:util";
import { parseSize } from "../src/config/settings.ts";

export type GenFormat = "otlp-jsonl" | "otlp-json" | "jaeger" | "zipkin" | "otlp-proto" | "otlp-proto-stream";

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = ["frontend", "checkout", "cart", "payment", "inventory", "shipping", "email", "recommendation", "ad", "currency"];
const OPS = ["GET /api/cart", "POST /api/checkout", "SELECT orders", "redis GET", "grpc Charge", "kafka publish", "render", "HTTP GET", "validate", "compute"];
const ATTR_KEYS = ["http.method", "http.status_code", "http.url", "db.system", "db.statement", "net.peer.name", "rpc.method", "user.id", "cache.hit", "retry.count", "payload.size", "region", "feature.flag", "tenant", "queue.depth", "latency.budget", "version", "pod.name", "thread.id", "sampled"];

interface GenSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  name: string;
  service: string;
  kind: number;
  startUs: number;
  durUs: number;
  error: boolean;
  attrs: [string, string | number | boolean][];
  events: { us: number; name: string }[];
}

function hex(rand: () => number, bytes: number): string {
  let s = "";
  for (let i = 0; i < bytes; i++) s += Math.floor(rand() * 256).toString(16).padStart(2, "0");
  return s;
}

function makeTrace(rand: () => number, index: number): GenSpan[] {
  const n = 5 + Math.floor(rand() * 46);
  const traceId = hex(rand, 16);
  const base = 1_700_000_000_000_000 + index * 1_000;
  const spans: GenSpan[] = [];
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? null : spans[Math.floor(rand() * i)]!;
    const attrs: [string, string | number | boolean][] = [];
    const na = 5 + Math.floor(rand() * 16);
    for (let k = 0; k < na; k++) {
      const key = ATTR_KEYS[k]!;
      const r = rand();
      attrs.push([key, r < 0.5 ? `value-${Math.floor(rand() * 1e6)}` : r < 0.75 ? Math.floor(rand() * 1e5) : r < 0.9 ? Math.round(rand() * 1e4) / 100 : rand() < 0.5]);
    }
    const startUs = parent ? parent.startUs + Math.floor(rand() * 1000) : base;
    const events = rand() < 0.2 ? Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, e) => ({ us: startUs + e * 10, name: rand() < 0.5 ? "retry" : "cache.miss" })) : [];
    spans.push({
      traceId,
      spanId: hex(rand, 8),
      parentId: parent?.spanId ?? null,
      name: OPS[Math.floor(rand() * OPS.length)]!,
      service: SERVICES[Math.floor(rand() * SERVICES.length)]!,
      kind: 1 + Math.floor(rand() * 5),
      startUs,
      durUs: 10 + Math.floor(rand() * 50_000),
      error: rand() < 0.05,
      attrs,
      events,
    });
  }
  return spans;
}

function otlpValue(v: string | number | boolean) {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

function otlpRequest(spans: GenSpan[]) {
  const byService = new Map<string, GenSpan[]>();
  for (const s of spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [{ key: "service.name", value: { stringValue: service } }, { key: "host.name", value: { stringValue: `${service}-1` } }] },
      scopeSpans: [
        {
          scope: { name: "bench-generator", version: "1.0.0" },
          spans: list.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentId ?? "",
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: `${s.startUs}000`,
            endTimeUnixNano: `${s.startUs + s.durUs}000`,
            attributes: s.attrs.map(([key, v]) => ({ key, value: otlpValue(v) })),
            events: s.events.map((e) => ({ timeUnixNano: `${e.us}000`, name: e.name, attributes: [] })),
            status: s.error ? { code: 2, message: "failed" } : {},
          })),
        },
      ],
    })),
  };
}

type OtlpRequest = ReturnType<typeof otlpRequest>;
interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number };
}

/**
 * The same request as OTLP protobuf (opentelemetry-proto's
 * ExportTraceServiceRequest: collector/trace/v1/trace_service.proto,
 * trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto):
 * ids as bytes, times as fixed64, kind and status code as enums. Fields the
 * JSON leaves empty are left out, as protobuf writers do.
 */
function otlpProtoRequest(req: OtlpRequest): Uint8Array {
  const w = new BinaryWriter();
  const LEN = WireType.LengthDelimited;
  const attribute = (field: number, a: OtlpAttribute) => {
    w.tag(field, LEN).fork(); // KeyValue
    w.tag(1, LEN).string(a.key);
    w.tag(2, LEN).fork(); // AnyValue
    const v = a.value;
    if (v.stringValue !== undefined) w.tag(1, LEN).string(v.stringValue);
    else if (v.boolValue !== undefined) w.tag(2, WireType.Varint).bool(v.boolValue);
    else if (v.intValue !== undefined) w.tag(3, WireType.Varint).int64(v.intValue);
    else if (v.doubleValue !== undefined) w.tag(4, WireType.Bit64).double(v.doubleValue);
    w.join().join();
  };
  for (const rs of req.resourceSpans) {
    w.tag(1, LEN).fork(); // ResourceSpans
    w.tag(1, LEN).fork(); // Resource
    for (const a of rs.resource.attributes) attribute(1, a);
    w.join();
    for (const ss of rs.scopeSpans) {
      w.tag(2, LEN).fork(); // ScopeSpans
      w.tag(1, LEN).fork().tag(1, LEN).string(ss.scope.name).tag(2, LEN).string(ss.scope.version).join(); // InstrumentationScope
      for (const s of ss.spans) {
        w.tag(2, LEN).fork(); // Span
        w.tag(1, LEN).bytes(Buffer.from(s.traceId, "hex"));
        w.tag(2, LEN).bytes(Buffer.from(s.spanId, "hex"));
        if (s.parentSpanId !== "") w.tag(4, LEN).bytes(Buffer.from(s.parentSpanId, "hex"));
        w.tag(5, LEN).string(s.name);
        w.tag(6, WireType.Varint).int32(s.kind);
        w.tag(7, WireType.Bit64).fixed64(s.startTimeUnixNano);
        w.tag(8, WireType.Bit64).fixed64(s.endTimeUnixNano);
        for (const a of s.attributes) attribute(9, a);
        for (const e of s.events) w.tag(11, LEN).fork().tag(1, WireType.Bit64).fixed64(e.timeUnixNano).tag(2, LEN).string(e.name).join();
        const status = s.status as { code?: number; message?: string };
        if (status.code !== undefined) w.tag(15, LEN).fork().tag(2, LEN).string(status.message ?? "").tag(3, WireType.Varint).int32(status.code).join();
        w.join();
      }
      w.join();
    }
    w.join();
  }
  return w.finish();
}

function jaegerTag([key, v]: [string, string | number | boolean]) {
  const type = typeof v === "string" ? "string" : typeof v === "boolean" ? "bool" : Number.isInteger(v) ? "int64" : "float64";
  return { key, type, value: v };
}

function jaegerTrace(spans: GenSpan[]) {
  const pids = new Map<string, string>();
  for (const s of spans) if (!pids.has(s.service)) pids.set(s.service, `p${pids.size + 1}`);
  return {
    traceID: spans[0]!.traceId,
    spans: spans.map((s) => ({
      traceID: s.traceId,
      spanID: s.spanId,
      operationName: s.name,
      references: s.parentId ? [{ refType: "CHILD_OF", traceID: s.traceId, spanID: s.parentId }] : [],
      startTime: s.startUs,
      duration: s.durUs,
      tags: [...s.attrs.map(jaegerTag), ...(s.error ? [{ key: "error", type: "bool", value: true }] : [])],
      logs: s.events.map((e) => ({ timestamp: e.us, fields: [{ key: "event", type: "string", value: e.name }] })),
      processID: pids.get(s.service),
    })),
    processes: Object.fromEntries([...pids].map(([service, id]) => [id, { serviceName: service, tags: [] }])),
  };
}

function zipkinSpan(s: GenSpan) {
  const kinds = [undefined, undefined, "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
  return {
    traceId: s.traceId,
    id: s.spanId,
    ...(s.parentId ? { parentId: s.parentId } : {}),
    name: s.name,
    ...(kinds[s.kind] ? { kind: kinds[s.kind] } : {}),
    timestamp: s.startUs,
    duration: s.durUs,
    localEndpoint: { serviceName: s.service },
    tags: Object.fromEntries([...s.attrs.map(([k, v]) => [k, String(v)]), ...(s.error ? [["error", "failed"]] : [])]),
    annotations: s.events.map((e) => ({ timestamp: e.us, value: e.name })),
  };
}

export interface GenerateOptions {
  format: GenFormat;
  out: string;
  seed?: number;
  spans?: number;
  bytes?: number;
}

/** Writes the file; stops at whichever of `spans` / `bytes` is reached first (after a whole trace). */
export async function generate(o: GenerateOptions): Promise<{ spans: number; traces: number; bytes: number }> {
  const rand = prng(o.seed ?? 42);
  const maxSpans = o.spans ?? Infinity;
  const maxBytes = o.bytes ?? Infinity;
  if (!Number.isFinite(maxSpans) && !Number.isFinite(maxBytes)) throw new Error("give --spans or --bytes");
  const w = Bun.file(o.out).writer({ highWaterMark: 1 << 20 });
  let bytes = 0;
  let spans = 0;
  let traces = 0;
  const put = (s: string) => {
    bytes += Buffer.byteLength(s);
    w.write(s);
  };
  const putBytes = (b: Uint8Array) => {
    bytes += b.length;
    w.write(b);
  };
  const open = { "otlp-jsonl": "", "otlp-json": '{"resourceSpans":[', jaeger: '{"data":[', zipkin: "[", "otlp-proto": "", "otlp-proto-stream": "" }[o.format];
  const close = { "otlp-jsonl": "", "otlp-json": "]}\n", jaeger: "]}\n", zipkin: "]\n", "otlp-proto": "", "otlp-proto-stream": "" }[o.format];
  put(open);
  let first = true;
  while (spans < maxSpans && bytes < maxBytes) {
    const trace = makeTrace(rand, traces);
    traces++;
    spans += trace.length;
    switch (o.format) {
      case "otlp-jsonl":
        put(JSON.stringify(otlpRequest(trace)) + "\n");
        break;
      case "otlp-json": {
        const text = JSON.stringify(otlpRequest(trace).resourceSpans).slice(1, -1);
        put((first ? "" : ",") + text);
        break;
      }
      case "jaeger":
        put((first ? "" : ",") + JSON.stringify(jaegerTrace(trace)));
        break;
      case "zipkin":
        put((first ? "" : ",") + trace.map((s) => JSON.stringify(zipkinSpan(s))).join(","));
        break;
      case "otlp-proto":
        // The concatenation of requests is one request with all their ResourceSpans (repeated field 1).
        putBytes(otlpProtoRequest(otlpRequest(trace)));
        break;
      case "otlp-proto-stream": {
        const message = otlpProtoRequest(otlpRequest(trace));
        const length = new Uint8Array(4);
        new DataView(length.buffer).setUint32(0, message.length);
        putBytes(length);
        putBytes(message);
        break;
      }
    }
    first = false;
    if (traces % 2000 === 0) await w.flush();
  }
  put(close);
  await w.end();
  return { spans, traces, bytes };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      format: { type: "string", default: "otlp-jsonl" },
      out: { type: "string" },
      seed: { type: "string", default: "42" },
      spans: { type: "string" },
      bytes: { type: "string" },
    },
  });
  if (!values.out) throw new Error("--out is required");
  const r = await generate({
    format: values.format as GenFormat,
    out: values.out,
    seed: Number(values.seed),
    spans: values.spans ? Number(values.spans) : undefined,
    bytes: values.bytes ? parseSize(values.bytes) : undefined,
  });
  console.log(JSON.stringify({ out: values.out, format: values.format, ...r }));
}
