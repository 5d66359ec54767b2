/**
 * Trace fixtures made with the real OpenTelemetry JS SDK (sdk-trace, resources,
 * otlp-transformer, exporter-zipkin), framed as the real producers frame them:
 * the SDK's own serializers, the bytes the Zipkin exporter POSTs, and the
 * OpenTelemetry Collector file exporter's framings (JSON Lines, 4-byte
 * big-endian length prefixes, legacy per-message zstd, native zstd streams).
 *
 * Everything is deterministic: a seeded IdGenerator, fixed start/end/event
 * times (HrTime tuples), fixed resources. Re-running gives byte-identical files
 * for the same package versions and the same Bun (its libzstd/zlib).
 *
 * Expected counts come from the SDK's own ReadableSpan objects, never from
 * parsing the files.
 *
 * `bun scripts/generate-fixtures.ts` writes test/fixtures/traces/generated;
 * tests call writeLongLineFiles(dir) for the big files that are not committed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as zlib from "node:zlib";
import {
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type HrTime,
  type Link,
  type Span as ApiSpan,
  type Tracer,
} from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { ZipkinExporter } from "@opentelemetry/exporter-zipkin";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
  type SpanLimits,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace";

// ---------------------------------------------------------------------------
// Deterministic ids and times
// ---------------------------------------------------------------------------

const MASK64 = (1n << 64n) - 1n;

/** An IdGenerator driven by splitmix64 from a fixed seed: the same seed gives the same ids in the same order. */
export class SeededIdGenerator implements IdGenerator {
  private state: bigint;
  constructor(seed: number | bigint) {
    this.state = BigInt(seed) & MASK64;
  }
  private next64(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    z = z ^ (z >> 31n);
    return z === 0n ? 1n : z; // an all-zero id is invalid
  }
  generateTraceId(): string {
    return this.next64().toString(16).padStart(16, "0") + this.next64().toString(16).padStart(16, "0");
  }
  generateSpanId(): string {
    return this.next64().toString(16).padStart(16, "0");
  }
}

/** 2026-01-15T10:00:00Z, in seconds. */
export const BASE_EPOCH_SECONDS = 1_768_471_200;

/** An HrTime `ms` milliseconds (plus `ns` nanoseconds) after BASE_EPOCH_SECONDS. */
export function at(ms: number, ns = 0): HrTime {
  const total = BigInt(Math.round(ms * 1_000_000)) + BigInt(ns);
  return [BASE_EPOCH_SECONDS + Number(total / 1_000_000_000n), Number(total % 1_000_000_000n)];
}

// ---------------------------------------------------------------------------
// Counts, computed from the SDK's ReadableSpan objects
// ---------------------------------------------------------------------------

export type Compression = "gzip" | "zstd" | null;

export interface ExpectedFile {
  expect: "accept";
  /** The format id the importer should detect. */
  format: "otlp-json" | "otlp-jsonl" | "otlp-proto" | "otlp-proto-stream" | "zipkin";
  /** The whole file's compression, as the importer should report it. */
  compression: Compression;
  traces: number;
  spans: number;
  unique_spans?: number;
  services: string[];
  roots: number;
  orphans: number;
  max_depth: number;
  events?: number;
  links?: number;
  /** Zipkin: annotations (the exporter turns events into annotations and drops links). */
  annotations?: number;
  /** Framed files: how many ExportTraceServiceRequests (or POST bodies) the file holds. */
  messages?: number;
  /** JSON Lines (after decompression): how many lines. */
  lines?: number;
  /** zstd files: how many zstd frames the file is made of. */
  zstd_frames?: number;
  /** Bytes of the file on disk. */
  bytes: number;
  /** Bytes of the largest message (or line, without its newline) in the file. */
  max_message_bytes?: number;
  sha256?: string;
}

export type SpanCounts = Pick<ExpectedFile, "traces" | "spans" | "unique_spans" | "services" | "roots" | "orphans" | "max_depth" | "events" | "links">;

function serviceOf(span: ReadableSpan): string | null {
  const name = span.resource.attributes["service.name"];
  return typeof name === "string" ? name : null;
}

/** The same definitions as test/fixtures/traces/SOURCES.md, applied to ReadableSpans. */
export function countSpans(spans: readonly ReadableSpan[]): SpanCounts {
  const traces = new Set<string>();
  const services = new Set<string>();
  const byKey = new Map<string, ReadableSpan>();
  let events = 0;
  let links = 0;
  for (const s of spans) {
    const { traceId, spanId } = s.spanContext();
    traces.add(traceId);
    const service = serviceOf(s);
    if (service !== null) services.add(service);
    if (!byKey.has(`${traceId}/${spanId}`)) byKey.set(`${traceId}/${spanId}`, s);
    events += s.events.length;
    links += s.links.length;
  }
  let roots = 0;
  let orphans = 0;
  const depth = new Map<string, number>();
  const depthOf = (key: string): number => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    const s = byKey.get(key)!;
    const parent = s.parentSpanContext;
    const parentKey = parent ? `${s.spanContext().traceId}/${parent.spanId}` : null;
    const d = parentKey !== null && parentKey !== key && byKey.has(parentKey) ? depthOf(parentKey) + 1 : 1;
    depth.set(key, d);
    return d;
  };
  let maxDepth = 0;
  for (const [key, s] of byKey) {
    const parent = s.parentSpanContext;
    if (!parent) roots++;
    else if (!byKey.has(`${s.spanContext().traceId}/${parent.spanId}`)) orphans++;
    maxDepth = Math.max(maxDepth, depthOf(key));
  }
  const counts: SpanCounts = {
    traces: traces.size,
    spans: spans.length,
    services: [...services].sort(),
    roots,
    orphans,
    max_depth: maxDepth,
    events,
    links,
  };
  if (byKey.size !== spans.length) counts.unique_spans = byKey.size;
  return counts;
}

// ---------------------------------------------------------------------------
// The SDK world: one TracerProvider per service, sharing ids and a processor
// ---------------------------------------------------------------------------

/** Low enough that some spans, events and links drop attributes, events and links. */
export const SPAN_LIMITS: SpanLimits = {
  attributeCountLimit: 24,
  attributeValueLengthLimit: 120,
  eventCountLimit: 4,
  linkCountLimit: 3,
  attributePerEventCountLimit: 3,
  attributePerLinkCountLimit: 2,
};

interface ServiceSpec {
  name: string;
  attributes: Attributes;
  schemaUrl?: string;
}

class World {
  readonly ids: IdGenerator;
  private readonly providers: TracerProvider[] = [];
  constructor(
    seed: number,
    private readonly processor: SpanProcessor,
    private readonly limits: SpanLimits = SPAN_LIMITS,
  ) {
    this.ids = new SeededIdGenerator(seed);
  }
  /** A provider for one service, as an app would set it up: the SDK's default resource merged with its own. */
  provider(spec: ServiceSpec): TracerProvider {
    const resource = defaultResource().merge(resourceFromAttributes({ "service.name": spec.name, ...spec.attributes }, spec.schemaUrl ? { schemaUrl: spec.schemaUrl } : undefined));
    const p = new TracerProvider({ resource, idGenerator: this.ids, spanLimits: this.limits, spanProcessors: [this.processor] });
    this.providers.push(p);
    return p;
  }
  async flush(): Promise<void> {
    await this.processor.forceFlush();
  }
  async shutdown(): Promise<void> {
    await this.processor.forceFlush();
    for (const p of this.providers) await p.shutdown();
  }
}

/** An exporter that keeps each batch it is handed, in order (what a batching exporter would send). */
export class RecordingExporter implements SpanExporter {
  readonly batches: ReadableSpan[][] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.batches.push([...spans]);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

const child = (parent: ApiSpan): Context => trace.setSpan(ROOT_CONTEXT, parent);

// ---------------------------------------------------------------------------
// The scenario: 5 services, 4 traces, every attribute type, events, links,
// statuses, all span kinds, a trace state, dropped counts
// ---------------------------------------------------------------------------

export const SCENARIO_SEED = 20260115;
/** The scenario's spans reach the exporter in batches of this many (BatchSpanProcessor maxExportBatchSize). */
export const SCENARIO_BATCH_SIZE = 4;

export interface Scenario {
  /** Every span, in the order the processor handed them on (end order). */
  spans: ReadableSpan[];
  /** The batches the BatchSpanProcessor exported, in order. */
  batches: ReadableSpan[][];
}

/** A fixed Error-like value, so the recorded exception (and its stack) does not depend on where the script runs. */
function declinedError(): Error {
  const err = new Error("insufficient funds");
  err.name = "CardDeclinedError";
  err.stack = "CardDeclinedError: insufficient funds\n    at charge (/srv/payment/src/charge.ts:42:11)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)";
  return err;
}

/**
 * Runs the scenario through the SDK and returns the spans the BatchSpanProcessor
 * exported. The spans are ended synchronously, in a fixed order, so the batches
 * are the same on every run.
 */
export async function buildScenario(): Promise<Scenario> {
  const exporter = new RecordingExporter();
  const processor = new BatchSpanProcessor({
    exporter,
    maxExportBatchSize: SCENARIO_BATCH_SIZE,
    maxQueueSize: 2048,
    scheduledDelayMillis: 60_000, // never by timer: only when a batch is full, and at the final flush
  });
  const world = new World(SCENARIO_SEED, processor);

  const frontend = world.provider({
    name: "frontend",
    schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
    attributes: { "service.version": "1.4.2", "service.namespace": "shop", "deployment.environment.name": "staging", "host.name": "web-1", "process.pid": 4242 },
  });
  const checkout = world.provider({ name: "checkout", attributes: { "service.version": "3.0.0", "service.namespace": "shop", "service.instance.id": "checkout-7d9f4c" } });
  const payment = world.provider({ name: "payment", attributes: { "service.version": "0.9.1", "cloud.provider": "aws", "cloud.region": "eu-west-1" } });
  const worker = world.provider({ name: "order-worker", attributes: { "service.version": "2.1.0", "service.namespace": "shop" } });
  const inventory = world.provider({ name: "inventory", attributes: { "service.version": "5.2.0", "container.id": "3f1a9c0e7b2d" } });

  const feHttp: Tracer = frontend.getTracer("@opentelemetry/instrumentation-http", "0.57.2", { schemaUrl: "https://opentelemetry.io/schemas/1.27.0" });
  const feApp = frontend.getTracer("@shop/frontend", "1.4.2");
  const coTracer = checkout.getTracer("@shop/checkout", "3.0.0");
  const payTracer = payment.getTracer("@shop/payment");
  const pgTracer = payment.getTracer("@opentelemetry/instrumentation-pg", "0.50.0");
  const wkTracer = worker.getTracer("@shop/order-worker", "2.1.0");
  const invTracer = inventory.getTracer("@shop/inventory", "5.2.0");

  // Trace A: a checkout request across frontend → checkout → payment (depth 7).
  const a1 = feHttp.startSpan("GET /checkout", {
    kind: SpanKind.SERVER,
    startTime: at(0, 123_456),
    attributes: {
      "http.request.method": "GET",
      "url.path": "/checkout",
      "url.query": "step=pay&coupon=WINTER",
      "http.response.status_code": 200,
      "server.port": 8080,
      "user.premium": true,
      "user.anonymous": false,
      "cart.total": 149.95,
      "cart.discount.ratio": 0.25,
      "cart.tax": -0.5,
      "request.body.size": 3_000_000_000, // above 2^31
      "session.max.safe.int": 9_007_199_254_740_991, // 2^53 - 1
      "retry.budget": -42,
      "cart.tags": ["sale", "gift", ""],
      "cart.flags": [true, false, true],
      "cart.item.ids": [101, 202, 3_000_000_001],
      "cart.item.prices": [19.99, 5.5, 0.01],
      "cart.sparse": ["a", null, "c"],
      "cart.empty": [],
      "user.agent.original": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 traceport-fixture/1.0",
      "page.title": "Caf\u00e9 \u2615 \u65e5\u672c\u8a9e \ud83d\uded2 checkout",
      "page.long.text": "lorem ipsum ".repeat(20), // longer than attributeValueLengthLimit: truncated by the SDK
    },
  });
  a1.addEvent("request.received", { "network.peer.address": "10.0.0.7", "network.peer.port": 51234 }, at(0, 500_000));
  const a2 = feApp.startSpan("render checkout page", { kind: SpanKind.INTERNAL, startTime: at(5), attributes: { "template.name": "checkout.html", "template.cached": false } }, child(a1));
  const a3 = feHttp.startSpan(
    "POST /api/checkout",
    { kind: SpanKind.CLIENT, startTime: at(10), attributes: { "http.request.method": "POST", "server.address": "checkout", "server.port": 9000, "url.full": "http://checkout:9000/api/checkout" } },
    child(a2),
  );
  const a4 = coTracer.startSpan("POST /api/checkout", { kind: SpanKind.SERVER, startTime: at(12, 250), attributes: { "http.request.method": "POST", "http.route": "/api/checkout", "http.response.status_code": 201 } }, child(a3));
  const a5 = coTracer.startSpan("validate cart", { kind: SpanKind.INTERNAL, startTime: at(14), attributes: { "cart.items": 3 } }, child(a4));
  a5.addEvent("cart.validated", { "cart.items": 3, "cart.valid": true, "cart.weight.kg": 2.75 }, at(39));
  a5.setStatus({ code: SpanStatusCode.OK });
  a5.end(at(40));
  const a6 = coTracer.startSpan("charge card", { kind: SpanKind.CLIENT, startTime: at(45), attributes: { "rpc.system": "grpc", "rpc.service": "payment.Payments", "rpc.method": "Charge" } }, child(a4));
  const a7 = payTracer.startSpan("payment.Payments/Charge", { kind: SpanKind.SERVER, startTime: at(47), attributes: { "rpc.system": "grpc", "rpc.grpc.status_code": 9, "payment.amount": 149.95, "payment.currency": "EUR" } }, child(a6));
  const a8 = pgTracer.startSpan(
    "SELECT accounts",
    { kind: SpanKind.CLIENT, startTime: at(50), attributes: { "db.system.name": "postgresql", "db.namespace": "payments", "db.query.text": "SELECT balance FROM accounts WHERE id = $1", "db.response.returned_rows": 1 } },
    child(a7),
  );
  a8.end(at(80, 1));
  a7.recordException(declinedError(), at(290));
  a7.setStatus({ code: SpanStatusCode.ERROR, message: "card declined: insufficient funds" });
  a7.end(at(295));
  a6.addEvent("retry.scheduled", { "retry.attempt": 1, "retry.delay.ms": 5 }, at(299));
  a6.setStatus({ code: SpanStatusCode.ERROR, message: "payment declined" });
  a6.end(at(300));
  const a10 = coTracer.startSpan(
    "orders publish",
    { kind: SpanKind.PRODUCER, startTime: at(305), attributes: { "messaging.system": "kafka", "messaging.destination.name": "orders", "messaging.operation.type": "send", "messaging.kafka.message.key": "order-1001" } },
    child(a4),
  );
  a10.end(at(310));
  const a11 = coTracer.startSpan("retry charge card", { kind: SpanKind.CLIENT, startTime: at(312), attributes: { "rpc.system": "grpc", "retry.attempt": 2 } }, child(a4));
  a11.setStatus({ code: SpanStatusCode.OK });
  a11.end(at(450));
  a4.setStatus({ code: SpanStatusCode.OK });
  a4.end(at(455));
  a3.end(at(460));
  a2.end(at(470));
  a1.addEvent("response.sent", { "http.response.body.size": 5120 }, at(479));
  a1.setStatus({ code: SpanStatusCode.OK });
  a1.end(at(480, 999_999));

  // Trace B: the order worker consumes the message. Its parent came from a
  // message header (a remote span not in the file), with a trace state that
  // every span of the trace inherits; it links to the producer span of trace A.
  const upstream = { traceId: world.ids.generateTraceId(), spanId: world.ids.generateSpanId() };
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: upstream.traceId,
    spanId: upstream.spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
  });
  const b1 = wkTracer.startSpan(
    "orders process",
    {
      kind: SpanKind.CONSUMER,
      startTime: at(600),
      attributes: { "messaging.system": "kafka", "messaging.destination.name": "orders", "messaging.operation.type": "process", "messaging.batch.message_count": 1 },
      links: [{ context: a10.spanContext(), attributes: { "messaging.operation.type": "send", "link.reason": "producer", "link.extra": "dropped by attributePerLinkCountLimit" } }],
    },
    remote,
  );
  const b2 = wkTracer.startSpan("reserve stock", { kind: SpanKind.INTERNAL, startTime: at(610) }, child(b1));
  for (let i = 0; i < 6; i++) {
    // 6 events, eventCountLimit 4: the SDK drops the 2 oldest; 5 attributes each, attributePerEventCountLimit 3: 2 dropped per event kept
    b2.addEvent(`stock.check.${i}`, { "item.id": 100 + i, "item.available": i % 2 === 0, "item.quantity": i * 1.5, "item.sku": `SKU-${i}`, "item.tags": ["x", "y"] }, at(611 + i));
  }
  const b3 = invTracer.startSpan("inventory.Stock/Reserve", { kind: SpanKind.SERVER, startTime: at(620), attributes: { "rpc.system": "grpc", "rpc.service": "inventory.Stock", "rpc.method": "Reserve" } }, child(b2));
  const b4 = invTracer.startSpan(
    "UPDATE stock",
    { kind: SpanKind.CLIENT, startTime: at(630), attributes: { "db.system.name": "mysql", "db.query.text": "UPDATE stock SET reserved = reserved + ? WHERE sku = ?", "db.operation.name": "UPDATE" } },
    child(b3),
  );
  b4.addEvent("lock.wait", { "lock.wait.ms": 120 }, at(700));
  b4.setStatus({ code: SpanStatusCode.ERROR, message: "Deadlock found when trying to get lock; try restarting transaction" });
  b4.end(at(770));
  b3.setStatus({ code: SpanStatusCode.ERROR, message: "reserve failed" });
  b3.end(at(780));
  b2.end(at(800));
  b1.setStatus({ code: SpanStatusCode.OK });
  b1.end(at(900));

  // Trace C: a batch job with more attributes and links than the limits allow.
  const manyAttributes: Attributes = {};
  for (let i = 0; i < 30; i++) manyAttributes[`job.param.${String(i).padStart(2, "0")}`] = i % 3 === 0 ? `value-${i}` : i % 3 === 1 ? i : i % 2 === 0;
  // 5 links, linkCountLimit 3: the SDK keeps the newest (Span.addLink shifts
  // the oldest out), so the two given at start are dropped.
  const c1 = wkTracer.startSpan("reconcile orders", {
    kind: SpanKind.INTERNAL,
    startTime: at(1000),
    attributes: manyAttributes, // 30 attributes, attributeCountLimit 24: 6 dropped
    links: [
      { context: a7.spanContext(), attributes: { "link.reason": "failed charge" } },
      { context: b4.spanContext(), attributes: { "link.reason": "deadlock" } },
    ],
  });
  const laterLinks: Link[] = [
    { context: a1.spanContext(), attributes: { "link.reason": "reconciles", "order.id": 1001 } },
    { context: b1.spanContext(), attributes: { "link.reason": "reconciles", "order.id": 1001, "link.note": "a third attribute: attributePerLinkCountLimit drops it" } },
    { context: a10.spanContext() },
  ];
  c1.addLinks(laterLinks);
  const c2 = wkTracer.startSpan("GET /api/orders", { kind: SpanKind.CLIENT, startTime: at(1010), attributes: { "http.request.method": "GET", "url.full": "http://checkout:9000/api/orders?since=2026-01-15" } }, child(c1));
  const c3 = coTracer.startSpan("GET /api/orders", { kind: SpanKind.SERVER, startTime: at(1012), attributes: { "http.request.method": "GET", "http.route": "/api/orders", "http.response.status_code": 200 } }, child(c2));
  c3.end(at(1090));
  c2.end(at(1095));
  c1.addEvent("reconcile.summary", { "orders.checked": 1, "orders.fixed": 0 }, at(1099));
  c1.end(at(1100));

  // Trace D: a health check, status unset, nothing else.
  const d1 = invTracer.startSpan("GET /healthz", { kind: SpanKind.SERVER, startTime: at(2000) });
  d1.end(at(2000, 250_000));

  await world.shutdown();
  return { spans: exporter.batches.flat(), batches: exporter.batches };
}

// ---------------------------------------------------------------------------
// Serializers and producers
// ---------------------------------------------------------------------------

export function otlpJson(spans: ReadableSpan[]): Uint8Array {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error("JsonTraceSerializer returned nothing");
  return bytes;
}

export function otlpProto(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error("ProtobufTraceSerializer returned nothing");
  return bytes;
}

export interface ZipkinCapture {
  method: string;
  path: string;
  contentType: string | null;
  body: Uint8Array;
}

/**
 * Exports the spans with @opentelemetry/exporter-zipkin to a local HTTP server
 * (127.0.0.1, ephemeral port) and returns exactly what it POSTed.
 */
export async function captureZipkinPost(spans: ReadableSpan[]): Promise<ZipkinCapture> {
  const captured: ZipkinCapture[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      captured.push({ method: req.method, path: new URL(req.url).pathname, contentType: req.headers.get("content-type"), body: new Uint8Array(await req.arrayBuffer()) });
      return new Response(null, { status: 202 });
    },
  });
  try {
    const exporter = new ZipkinExporter({ url: `http://127.0.0.1:${server.port}/api/v2/spans` });
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    if (result.code !== ExportResultCode.SUCCESS) throw new Error(`the Zipkin exporter failed: ${result.error?.message ?? "unknown error"}`);
    await exporter.shutdown();
  } finally {
    await server.stop(true);
  }
  if (captured.length !== 1) throw new Error(`expected one POST from the Zipkin exporter, got ${captured.length}`);
  return captured[0]!;
}

// ---------------------------------------------------------------------------
// Framing: the Collector file exporter (exporter/fileexporter)
// ---------------------------------------------------------------------------

/** The Collector's default zstd level (klauspost SpeedDefault corresponds to zstd level 3). */
export const ZSTD_LEVEL = 3;

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const NEWLINE = new Uint8Array([0x0a]);

/** exportMessageAsLine: the message, then "\n" (two writes). */
export function lineWrites(message: Uint8Array): Uint8Array[] {
  return [message, NEWLINE];
}

/** exportMessageAsBuffer: the 4-byte big-endian length, then the message (one write). */
export function lengthPrefixedWrite(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + message.length);
  new DataView(out.buffer).setUint32(0, message.length, false);
  out.set(message, 4);
  return out;
}

/** One complete zstd frame with its content size in the header (klauspost EncodeAll; libzstd one-shot). */
export function zstdFrame(data: Uint8Array, level = ZSTD_LEVEL): Uint8Array {
  return new Uint8Array(Bun.zstdCompressSync(data, { level }));
}

/**
 * zstd frames written by a streaming encoder (no content size in the frame
 * header): each segment is fed in its writes and closed into one frame, as the
 * Collector's compressingWriter does between flush()es.
 */
export async function zstdStream(segments: readonly (readonly Uint8Array[])[], level = ZSTD_LEVEL): Promise<Uint8Array> {
  const frames: Uint8Array[] = [];
  for (const writes of segments) {
    const enc = zlib.createZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
    const chunks: Buffer[] = [];
    enc.on("data", (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve, reject) => {
      enc.on("end", () => resolve());
      enc.on("error", reject);
    });
    for (const w of writes) enc.write(w);
    enc.end();
    await ended;
    frames.push(withoutTrailingEmptyFrame(new Uint8Array(Buffer.concat(chunks))));
  }
  return concat(frames);
}

/** The 9-byte empty frame (single segment, content size 0, one empty raw last block). */
const EMPTY_ZSTD_FRAME = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00];

/**
 * Bun 1.4's node:zlib ZstdCompress stream ends with an extra empty frame after
 * the real one; a Collector's encoder does not write it, so it is cut off.
 */
function withoutTrailingEmptyFrame(bytes: Uint8Array): Uint8Array {
  const at = bytes.length - EMPTY_ZSTD_FRAME.length;
  if (at > 0 && EMPTY_ZSTD_FRAME.every((b, i) => bytes[at + i] === b)) return bytes.subarray(0, at);
  return bytes;
}

export function gzip(data: Uint8Array): Uint8Array {
  return new Uint8Array(zlib.gzipSync(data, { level: 9 }));
}

// ---------------------------------------------------------------------------
// The committed fixture set
// ---------------------------------------------------------------------------

export const GENERATED_DIR = join(import.meta.dir, "..", "test", "fixtures", "traces", "generated");

/** The name of the Collector's rotated backup for `path: data.json` (README: "File Rotation"). */
export const ROTATED_NAME = "data-2022-09-14T05-02-14.173.json";
/** How many of the scenario's batches went to the rotated backup before it was rotated out. */
export const ROTATED_BATCHES = 2;
/** In the native proto stream, the flush_interval tick falls after this many messages (the stream is two frames). */
export const NATIVE_PROTO_FLUSH_AFTER = 3;

interface Made {
  name: string;
  bytes: Uint8Array;
  spans: ReadableSpan[];
  format: ExpectedFile["format"];
  compression: Compression;
  messages?: number;
  lines?: number;
  zstdFrames?: number;
  maxMessageBytes?: number;
  zipkin?: boolean;
  /** How it was made, for SOURCES.md. */
  how: string;
}

function expectedOf(m: Made): ExpectedFile {
  const c = countSpans(m.spans);
  const e: ExpectedFile = { expect: "accept", format: m.format, compression: m.compression, ...c, bytes: m.bytes.length };
  if (m.zipkin) {
    // The Zipkin exporter writes events as annotations and has no links.
    e.annotations = c.events;
    delete e.events;
    delete e.links;
  }
  if (m.messages !== undefined) e.messages = m.messages;
  if (m.lines !== undefined) e.lines = m.lines;
  if (m.zstdFrames !== undefined) e.zstd_frames = m.zstdFrames;
  if (m.maxMessageBytes !== undefined) e.max_message_bytes = m.maxMessageBytes;
  e.sha256 = createHash("sha256").update(m.bytes).digest("hex");
  return e;
}

function maxLength(parts: readonly Uint8Array[]): number {
  return parts.reduce((n, p) => Math.max(n, p.length), 0);
}

/** The files of the committed set, in memory. */
async function makeFixtureSet(): Promise<{ made: Made[]; zipkin: ZipkinCapture; scenario: Scenario }> {
  const scenario = await buildScenario();
  const { spans, batches } = scenario;
  const json = otlpJson(spans);
  const proto = otlpProto(spans);
  const jsonMessages = batches.map(otlpJson);
  const protoMessages = batches.map(otlpProto);
  const zipkin = await captureZipkinPost(spans);
  const n = batches.length;
  const made: Made[] = [];
  const add = (m: Made) => made.push(m);

  // 1, 2, 5: the SDK serializers' own output.
  add({ name: "sdk-json-serializer.json", bytes: json, spans, format: "otlp-json", compression: null, messages: 1, how: "`JsonTraceSerializer.serializeRequest(spans)`: one ExportTraceServiceRequest, as the OTLP/HTTP JSON exporter sends it." });
  add({ name: "sdk-json-serializer.json.zst", bytes: zstdFrame(json), spans, format: "otlp-json", compression: "zstd", messages: 1, zstdFrames: 1, how: "`sdk-json-serializer.json`, one zstd frame (`Bun.zstdCompressSync`, level 3)." });
  add({ name: "sdk-protobuf-serializer.binpb", bytes: proto, spans, format: "otlp-proto", compression: null, messages: 1, how: "`ProtobufTraceSerializer.serializeRequest(spans)`: one binary ExportTraceServiceRequest (the same spans), as the OTLP/HTTP protobuf exporter sends it." });
  add({ name: "sdk-protobuf-serializer.binpb.gz", bytes: gzip(proto), spans, format: "otlp-proto", compression: "gzip", messages: 1, how: "`sdk-protobuf-serializer.binpb`, gzip (`node:zlib` `gzipSync`, level 9)." });
  add({ name: "sdk-protobuf-serializer.binpb.zst", bytes: zstdFrame(proto), spans, format: "otlp-proto", compression: "zstd", messages: 1, zstdFrames: 1, how: "`sdk-protobuf-serializer.binpb`, one zstd frame (`Bun.zstdCompressSync`, level 3)." });

  // 3: the Zipkin exporter's POST body.
  add({ name: "zipkin-exporter-capture.json", bytes: zipkin.body, spans, format: "zipkin", compression: null, messages: 1, zipkin: true, how: `The body \`ZipkinExporter.export(spans)\` POSTed (${zipkin.method} ${zipkin.path}, Content-Type: ${zipkin.contentType}) to a Bun.serve server on 127.0.0.1, byte for byte.` });

  // 4: the Collector file exporter's framings.
  const jsonLines = concat(jsonMessages.flatMap(lineWrites));
  add({ name: "collector-json.jsonl", bytes: jsonLines, spans, format: "otlp-jsonl", compression: null, messages: n, lines: n, maxMessageBytes: maxLength(jsonMessages), how: "`format: json`, no compression: `exportMessageAsLine` per request (the request, then `\\n`)." });
  const protoStream = concat(protoMessages.map(lengthPrefixedWrite));
  add({ name: "collector-proto.binpb", bytes: protoStream, spans, format: "otlp-proto-stream", compression: null, messages: n, maxMessageBytes: maxLength(protoMessages), how: "`format: proto`: `exportMessageAsBuffer` per request (4-byte big-endian length, then the request)." });
  add({ name: "collector-proto.binpb.gz", bytes: gzip(protoStream), spans, format: "otlp-proto-stream", compression: "gzip", messages: n, maxMessageBytes: maxLength(protoMessages), how: "`collector-proto.binpb`, gzip (`node:zlib` `gzipSync`, level 9), as after `gzip` of the exporter's file." });
  const jsonLegacy = jsonMessages.map((m) => zstdFrame(m));
  add({
    name: "collector-json-zstd-legacy.bin",
    bytes: concat(jsonLegacy.map(lengthPrefixedWrite)),
    spans,
    format: "otlp-proto-stream",
    compression: null,
    messages: n,
    zstdFrames: n,
    maxMessageBytes: maxLength(jsonLegacy),
    how: "`format: json`, `compression: zstd`, feature gate off (legacy): each JSON request compressed on its own (`zstdCompress` = `EncodeAll`, one frame, no newline: `exportMessageAsLine` is not used), then `exportMessageAsBuffer` (length of the compressed bytes, then them). The file itself is not a zstd file.",
  });
  const protoLegacy = protoMessages.map((m) => zstdFrame(m));
  add({
    name: "collector-proto-zstd-legacy.binpb",
    bytes: concat(protoLegacy.map(lengthPrefixedWrite)),
    spans,
    format: "otlp-proto-stream",
    compression: null,
    messages: n,
    zstdFrames: n,
    maxMessageBytes: maxLength(protoLegacy),
    how: "`format: proto`, `compression: zstd`, feature gate off (legacy): each proto request compressed on its own, then length-prefixed.",
  });
  add({
    name: "collector-json-native.jsonl.zst",
    bytes: await zstdStream([jsonMessages.flatMap(lineWrites)]),
    spans,
    format: "otlp-jsonl",
    compression: "zstd",
    messages: n,
    lines: n,
    zstdFrames: 1,
    maxMessageBytes: maxLength(jsonMessages),
    how: "`format: json`, `compression: zstd`, feature gate `exporter.file.nativeCompression` on, no rotation: JSON Lines (`exportMessageAsLine`) into one streaming zstd frame, closed at shutdown (no content size in the frame header).",
  });
  const protoWrites = protoMessages.map(lengthPrefixedWrite);
  add({
    name: "collector-proto-native.binpb.zst",
    bytes: await zstdStream([protoWrites.slice(0, NATIVE_PROTO_FLUSH_AFTER), protoWrites.slice(NATIVE_PROTO_FLUSH_AFTER)]),
    spans,
    format: "otlp-proto-stream",
    compression: "zstd",
    messages: n,
    zstdFrames: 2,
    maxMessageBytes: maxLength(protoMessages),
    how: `\`format: proto\`, \`compression: zstd\`, native gate on, no rotation: length-prefixed requests in a streaming zstd stream; a \`flush_interval\` tick after message ${NATIVE_PROTO_FLUSH_AFTER} finalizes the first frame (\`flush()\` → \`closeAndResetEncoder\`), so the file is two frames.`,
  });
  const jsonRotatedWrites = jsonMessages.flatMap(lineWrites);
  add({
    name: "collector-json-native-rotated-frames.jsonl.zst",
    bytes: concat(jsonRotatedWrites.map((w) => zstdFrame(w))),
    spans,
    format: "otlp-jsonl",
    compression: "zstd",
    messages: n,
    lines: n,
    zstdFrames: jsonRotatedWrites.length,
    maxMessageBytes: maxLength(jsonMessages),
    how: "`format: json`, `compression: zstd`, native gate on, with `rotation`: `writeFrame` makes every `Write()` one complete frame, and `exportMessageAsLine` writes twice, so the frames alternate: a request, then `\\n` alone.",
  });
  add({
    name: "collector-proto-native-rotated-frames.binpb.zst",
    bytes: concat(protoWrites.map((w) => zstdFrame(w))),
    spans,
    format: "otlp-proto-stream",
    compression: "zstd",
    messages: n,
    zstdFrames: n,
    maxMessageBytes: maxLength(protoMessages),
    how: "`format: proto`, `compression: zstd`, native gate on, with `rotation`: one frame per `Write()`, and `exportMessageAsBuffer` writes once (prefix and request together).",
  });
  const rotatedSpans = batches.slice(0, ROTATED_BATCHES).flat();
  const rotatedMessages = jsonMessages.slice(0, ROTATED_BATCHES);
  add({
    name: ROTATED_NAME,
    bytes: concat(rotatedMessages.flatMap(lineWrites)),
    spans: rotatedSpans,
    format: "otlp-jsonl",
    compression: null,
    messages: ROTATED_BATCHES,
    lines: ROTATED_BATCHES,
    maxMessageBytes: maxLength(rotatedMessages),
    how: `\`path: data.json\` with \`rotation\`: the rotated backup (timberjack's name: the timestamp before the extension) holding the first ${ROTATED_BATCHES} requests as JSON Lines; some spans' parents are in the requests written after the rotation, so they are orphans here.`,
  });
  return { made, zipkin, scenario };
}

/**
 * Writes the committed fixture set (the files, expected-counts.json and
 * SOURCES.md) into `dir` and returns the expected counts by file name.
 */
export async function generateFixtures(dir: string): Promise<Record<string, ExpectedFile>> {
  mkdirSync(dir, { recursive: true });
  const { made, zipkin, scenario } = await makeFixtureSet();
  const expected: Record<string, ExpectedFile> = {};
  for (const m of made) {
    writeFileSync(join(dir, m.name), m.bytes);
    expected[m.name] = expectedOf(m);
  }
  writeFileSync(join(dir, "expected-counts.json"), JSON.stringify(expected, null, 1) + "\n");
  writeFileSync(join(dir, "SOURCES.md"), renderSources(made, expected, scenario, zipkin));
  return expected;
}

// ---------------------------------------------------------------------------
// Long lines (not committed: written at test time)
// ---------------------------------------------------------------------------

/** Spans per batch, as a BatchSpanProcessor with maxExportBatchSize 3000 hands them on. */
export const LONG_BATCH_SIZE = 3000;
export const LONG_BATCHES = 4;
export const LONG_SEED = 31337;
const MIB = 1024 * 1024;

/**
 * Spans for the long-line files: traces of 10 spans (a SERVER root, a chain
 * of children), two services, through a BatchSpanProcessor with
 * maxExportBatchSize `batchSize`. Returns the batches it exported.
 */
export async function buildBulkBatches(opts: { seed?: number; batches?: number; batchSize?: number; spansPerTrace?: number } = {}): Promise<ReadableSpan[][]> {
  const batchSize = opts.batchSize ?? LONG_BATCH_SIZE;
  const total = batchSize * (opts.batches ?? LONG_BATCHES);
  const perTrace = opts.spansPerTrace ?? 10;
  const exporter = new RecordingExporter();
  const processor = new BatchSpanProcessor({ exporter, maxExportBatchSize: batchSize, maxQueueSize: total, scheduledDelayMillis: 60_000 });
  const world = new World(opts.seed ?? LONG_SEED, processor, {});
  const services = [world.provider({ name: "bulk-api", attributes: { "service.version": "1.0.0" } }), world.provider({ name: "bulk-db", attributes: { "service.version": "8.0.36" } })];
  const tracers = services.map((p, i) => p.getTracer(`bulk-${i}`, "1.0.0"));
  for (let t = 0, made = 0; made < total; t++) {
    const start = t * 20;
    const open: ApiSpan[] = [];
    for (let s = 0; s < perTrace && made < total; s++, made++) {
      const tracer = tracers[s % 2 === 0 ? 0 : 1]!;
      const parent = open[open.length - 1];
      const span = tracer.startSpan(
        s === 0 ? `GET /api/items/${t % 100}` : `step ${s}`,
        {
          kind: s === 0 ? SpanKind.SERVER : s % 2 === 0 ? SpanKind.INTERNAL : SpanKind.CLIENT,
          startTime: at(start + s, t),
          attributes: {
            "http.request.method": "GET",
            "url.path": `/api/items/${t % 100}`,
            "http.response.status_code": s === 7 ? 500 : 200,
            "bulk.trace": t,
            "bulk.step": s,
          },
        },
        parent ? child(parent) : ROOT_CONTEXT,
      );
      if (s === 7) span.setStatus({ code: SpanStatusCode.ERROR, message: "upstream returned 500" });
      if (s % 5 === 0) span.addEvent("checkpoint", { "checkpoint.step": s }, at(start + s, t + 1));
      open.push(span);
    }
    // End innermost first, as real nested calls return.
    for (let i = open.length - 1; i >= 0; i--) open[i]!.end(at(start + 2 * perTrace - i, t));
  }
  await world.shutdown();
  return exporter.batches;
}

export interface LongLineFile {
  path: string;
  expected: ExpectedFile;
}

/**
 * Writes the long-line files into `dir`: batching exporters' output with
 * requests of 3,000 spans (~2 MB of JSON each) and lines just around 1 MiB.
 * Returns each file's path and expected counts, by file name.
 */
export async function writeLongLineFiles(dir: string): Promise<Record<string, LongLineFile>> {
  mkdirSync(dir, { recursive: true });
  const batches = await buildBulkBatches();
  const spans = batches.flat();
  const jsonMessages = batches.map(otlpJson);
  // Two SDK batches per proto request (as a Collector batch processor with
  // send_batch_size 6000 would merge them), so each request is over 1 MiB.
  const protoRequests: ReadableSpan[][] = [];
  for (let i = 0; i < batches.length; i += 2) protoRequests.push(batches.slice(i, i + 2).flat());
  const protoMessages = protoRequests.map(otlpProto);
  const n = batches.length;
  const made: Made[] = [
    {
      name: "sdk-batch-lines.jsonl",
      bytes: concat(jsonMessages.flatMap(lineWrites)),
      spans,
      format: "otlp-jsonl",
      compression: null,
      messages: n,
      lines: n,
      maxMessageBytes: maxLength(jsonMessages),
      how: "JsonTraceSerializer output of each 3,000-span batch, one per line",
    },
    {
      name: "collector-json-native-long.jsonl.zst",
      bytes: await zstdStream([jsonMessages.flatMap(lineWrites)]),
      spans,
      format: "otlp-jsonl",
      compression: "zstd",
      messages: n,
      lines: n,
      zstdFrames: 1,
      maxMessageBytes: maxLength(jsonMessages),
      how: "the same lines in one streaming zstd frame (native compression)",
    },
    {
      name: "collector-proto-long.binpb",
      bytes: concat(protoMessages.map(lengthPrefixedWrite)),
      spans,
      format: "otlp-proto-stream",
      compression: null,
      messages: protoMessages.length,
      maxMessageBytes: maxLength(protoMessages),
      how: "the same spans as length-prefixed proto requests of two batches each",
    },
  ];

  // Lines just under and just over 1 MiB: the smallest span count k whose
  // request is over 1 MiB, then lines of k - 1, k and k + 1 spans.
  const pool = spans;
  let lo = 1;
  let hi = LONG_BATCH_SIZE;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (otlpJson(pool.slice(0, mid)).length > MIB) hi = mid;
    else lo = mid + 1;
  }
  const k = lo;
  const around: ReadableSpan[][] = [];
  let from = 0;
  for (const size of [k - 1, k, k + 1]) {
    around.push(pool.slice(from, from + size));
    from += size;
  }
  const aroundMessages = around.map(otlpJson);
  made.push({
    name: "sdk-lines-around-1mib.jsonl",
    bytes: concat(aroundMessages.flatMap(lineWrites)),
    spans: around.flat(),
    format: "otlp-jsonl",
    compression: null,
    messages: around.length,
    lines: around.length,
    maxMessageBytes: maxLength(aroundMessages),
    how: `requests of ${k - 1}, ${k} and ${k + 1} spans: ${aroundMessages.map((m) => m.length).join(", ")} bytes (1 MiB = ${MIB})`,
  });

  const out: Record<string, LongLineFile> = {};
  for (const m of made) {
    const path = join(dir, m.name);
    writeFileSync(path, m.bytes);
    const expected = expectedOf(m);
    delete expected.sha256;
    out[m.name] = { path, expected };
  }
  return out;
}

// ---------------------------------------------------------------------------
// SOURCES.md
// ---------------------------------------------------------------------------

function packageVersion(name: string): string {
  const path = Bun.resolveSync(`${name}/package.json`, import.meta.dir);
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

const PACKAGES = ["@opentelemetry/api", "@opentelemetry/sdk-trace", "@opentelemetry/resources", "@opentelemetry/core", "@opentelemetry/otlp-transformer", "@opentelemetry/exporter-zipkin"];

function droppedSummary(spans: readonly ReadableSpan[]): string {
  const attrs = spans.reduce((n, s) => n + s.droppedAttributesCount, 0);
  const events = spans.reduce((n, s) => n + s.droppedEventsCount, 0);
  const links = spans.reduce((n, s) => n + s.droppedLinksCount, 0);
  const eventAttrs = spans.reduce((n, s) => n + s.events.reduce((m, e) => m + (e.droppedAttributesCount ?? 0), 0), 0);
  const linkAttrs = spans.reduce((n, s) => n + s.links.reduce((m, l) => m + (l.droppedAttributesCount ?? 0), 0), 0);
  return `span attributes ${attrs}, events ${events}, links ${links}, event attributes ${eventAttrs}, link attributes ${linkAttrs}`;
}

function renderSources(made: readonly Made[], expected: Record<string, ExpectedFile>, scenario: Scenario, zipkin: ZipkinCapture): string {
  const versions = PACKAGES.map((p) => `- \`${p}\` ${packageVersion(p)}`).join("\n");
  const kinds = [...new Set(scenario.spans.map((s) => SpanKind[s.kind]))].sort().join(", ");
  const all = countSpans(scenario.spans);
  const rows = made
    .map((m) => {
      const e = expected[m.name]!;
      const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      const extra = [
        e.messages !== undefined ? plural(e.messages, "message", "messages") : null,
        e.lines !== undefined ? plural(e.lines, "line", "lines") : null,
        e.zstd_frames !== undefined ? plural(e.zstd_frames, "zstd frame", "zstd frames") : null,
      ]
        .filter(Boolean)
        .join(", ");
      return `| \`${m.name}\` | ${e.bytes} | \`${e.format}\` | ${e.compression ?? "none"} | ${e.traces} | ${e.spans} | ${extra} |`;
    })
    .join("\n");
  const details = made.map((m) => `### \`${m.name}\`\n\n${m.how}\n\n- **sha256:** \`${expected[m.name]!.sha256}\``).join("\n\n");
  return `# Generated trace fixtures: how each file was made

Every file here is **generated** by \`scripts/generate-fixtures.ts\` (the reusable part is \`scripts/otel-fixtures.ts\`) with the **real OpenTelemetry JS SDK**, and framed the way the real producers frame them. Nothing here was written by hand; do not edit these files, re-run the script:

\`\`\`sh
bun scripts/generate-fixtures.ts            # writes test/fixtures/traces/generated/
bun scripts/generate-fixtures.ts <dir>      # or into another directory
\`\`\`

The output is deterministic (a seeded \`IdGenerator\`, fixed \`HrTime\` start, end and event times, fixed resources), so re-running gives byte-identical files with the same package versions and the same Bun (its libzstd and zlib); \`test/generated-fixtures.test.ts\` checks that.

Package versions used (from \`node_modules\`):

${versions}
- Bun ${Bun.version} (\`Bun.zstdCompressSync\`, \`node:zlib\` \`createZstdCompress\` / \`gzipSync\`, \`Bun.serve\`)

## The spans

One scenario (\`buildScenario\`), run through \`TracerProvider\`s (one per service, each with \`defaultResource().merge(resourceFromAttributes(...))\`) that share a seeded \`IdGenerator\` (seed ${SCENARIO_SEED}) and one \`BatchSpanProcessor\` (\`maxExportBatchSize: ${SCENARIO_BATCH_SIZE}\`), whose exporter keeps each batch it is handed:

- **${all.traces} traces, ${all.spans} spans, services** ${all.services.map((s) => `\`${s}\``).join(", ")}; roots ${all.roots}, orphans ${all.orphans}, max depth ${all.max_depth}; ${all.events} events, ${all.links} links; **${scenario.batches.length} batches** (${scenario.batches.map((b) => b.length).join(", ")} spans).
- Trace A: a checkout request, frontend → checkout → payment, **depth 7**; the root has every attribute type the SDK allows: string, bool, int, double, arrays of each, an array with a \`null\` (the transformer writes \`{}\`), an empty array, ints above 2^31 (3000000000) and 2^53 − 1, negative numbers, non-ASCII text, and a string longer than \`attributeValueLengthLimit\` (truncated by the SDK). Error statuses with messages (in \`payment\`, \`checkout\` and, in trace B, \`inventory\`), a recorded exception event (with a fixed stack), ok statuses, unset statuses.
- Trace B: a Kafka consumer whose parent is a **remote span not in the files** (so its first span is an orphan), carrying the **trace state** \`congo=t61rcWkgMzE,rojo=00f067aa0ba902b7\` that every span of the trace inherits; it **links** to trace A's producer span with attributes; one span has 6 events with 5 attributes each (the SDK keeps the 4 newest, with 3 attributes each).
- Trace C: a batch job with 30 attributes and 5 links (to spans of traces A and B, with attributes); the SDK keeps the 24 first attributes and the 3 newest links (it drops the oldest link).
- Trace D: a bare health-check span.
- Span kinds: ${kinds} (all five the API has; OTLP kinds 1–5).
- Span limits \`${JSON.stringify(SPAN_LIMITS)}\`, so dropped counts are non-zero: ${droppedSummary(scenario.spans)}.
- The \`frontend\` resource has the schema URL \`https://opentelemetry.io/schemas/1.26.0\` (the SDK's JSON serializer writes it on the ResourceSpans *and* inside \`resource\`); the HTTP instrumentation scope has \`https://opentelemetry.io/schemas/1.27.0\`.

## Files

| File | Bytes | Format | Compression | Traces | Spans | Framing |
| --- | ---: | --- | --- | ---: | ---: | --- |
${rows}

\`expected-counts.json\` holds the counts by file name, computed by the script from the SDK's own \`ReadableSpan\` objects (never by parsing the files): \`traces\` (distinct trace ids), \`spans\`, \`unique_spans\` when it differs, \`services\` (resource \`service.name\`, sorted), \`roots\`/\`orphans\`/\`max_depth\` (the definitions of ../SOURCES.md), \`events\`, \`links\` (for the Zipkin file, \`annotations\`: the exporter turns events into annotations and drops links), \`messages\` (ExportTraceServiceRequests in the file), \`lines\` (JSON Lines, after decompression), \`zstd_frames\`, \`max_message_bytes\` (largest message, or line without its newline, as stored: compressed for the legacy files), the file's \`bytes\` and \`sha256\`, and the \`format\` and \`compression\` the importer should report.

${details}

## The Zipkin capture

\`ZipkinExporter\` (no \`serviceName\`: each span's resource \`service.name\` becomes \`localEndpoint.serviceName\`) was pointed at \`http://127.0.0.1:<ephemeral port>/api/v2/spans\`, served by \`Bun.serve\` in the script, and \`export(spans)\` called once with all ${all.spans} spans. The request was \`${zipkin.method} ${zipkin.path}\` with \`Content-Type: ${zipkin.contentType}\`; the file is its body, byte for byte (\`JSON.stringify\` of the Zipkin v2 span array). The exporter copies resource attributes into each span's tags, writes status as \`otel.status_code\`/\`error\` tags and dropped counts as \`otel.dropped_*\` tags.

## The Collector file exporter's framings

The Collector's messages here are the SDK serializers' requests (one per batch); only the **framing** is the Collector's (its pdata marshalers would encode the same requests slightly differently, e.g. int values as strings in JSON). Read from [open-telemetry/opentelemetry-collector-contrib](https://github.com/open-telemetry/opentelemetry-collector-contrib) \`exporter/fileexporter\` (through the code-search index; file versions named by their blob's commit):

\`file_writer.go\`, the newest version the index holds (found by its text, \`ExporterFileNativeCompressionFeatureGate.IsEnabled\`; the index gave no commit for it), with the native-compression gate:

\`\`\`go
func exportMessageAsLine(w *fileWriter, buf []byte) error {
	...
	if _, err := w.file.Write(buf); err != nil {
		return err
	}
	if _, err := io.WriteString(w.file, "\\n"); err != nil {
		return err
	}
	return nil
}

func exportMessageAsBuffer(w *fileWriter, buf []byte) error {
	...
	// each encoded object is preceded by 4 bytes (an unsigned 32 bit integer)
	data := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(buf)), uint32(len(buf)))
	_, err := w.file.Write(append(data, buf...))
	return err
}

// buildExportFunc selects the framing used to write encoded telemetry.
func buildExportFunc(cfg *Config) exportFunc {
	// Per-message compression (gate off) emits binary, so JSON lines need the file itself uncompressed.
	// Native compression frames by \`format\`, the same as uncompressed output. See #49328.
	if cfg.FormatType == formatTypeJSON && (cfg.Compression == "" || metadata.ExporterFileNativeCompressionFeatureGate.IsEnabled()) {
		return exportMessageAsLine
	}
	return exportMessageAsBuffer
}
\`\`\`

(\`file_writer.go\` at \`f434b5640b3a\` has the same two functions with \`binary.BigEndian.PutUint32(data, uint32(len(buf)))\` and \`binary.Write(w.file, binary.BigEndian, append(data, buf...))\`, and a legacy-only \`buildExportFunc\`: proto → buffer; \`json\` with \`compression\` set → buffer; otherwise line.)

Legacy (gate off) per-message compression, \`marshaller.go\` (\`a16cbac0474c\`) and \`codec.go\` (\`2de7cd28c751\`): the marshalled request is compressed **before** framing, and since \`buildExportFunc\` then picks \`exportMessageAsBuffer\`, **no newline is written at all**: the length prefix counts the compressed bytes.

\`\`\`go
	buf, err := m.tracesMarshaler.MarshalTraces(td)
	...
	buf = m.compressor(buf)

// zstdCompress compress a buffer with zstd
func zstdCompress(src []byte) []byte {
	return encoder.EncodeAll(src, make([]byte, 0, len(src)))
}
\`\`\`

With the gate on, the marshaller skips that (\`if conf.Compression != "" && metadata.ExporterFileNativeCompressionFeatureGate.IsEnabled() { compression = ""; compressor = noneCompress }\`) and the file itself is compressed by \`compression_writer.go\` (\`432a0e7093f6\`):

\`\`\`go
//   - rotation != nil: each Write() is compressed into one complete frame (via
//     EncodeAll) and written atomically. ...
//   - rotation == nil: a single stream stays open, finalized by flush()/Close()
//     for a better ratio.
...
	// Non-rotation: stream directly; flush()/Close() finalize the frame.
	if c.rotation == nil {
		n, err := c.encoder.Write(p)
		...
	}
	return c.writeFrame(p)
...
func (c *compressingWriter) writeFrame(p []byte) (int, error) {
	c.frame = c.encoder.EncodeAll(p, c.frame[:0])
	...
	if _, err := c.base.Write(c.frame); err != nil {
\`\`\`

So: native JSON is JSON Lines inside zstd; native proto is the length-prefixed stream inside zstd; with rotation every \`Write()\` is its own frame, and as \`exportMessageAsLine\` writes the request and the \`"\\n"\` separately, a JSON request and its newline are two frames. A \`flush_interval\` tick (\`flush()\` → \`closeAndResetEncoder\`) ends a streaming frame and starts another. Rotated backups are named as in the exporter's README: \`data.json\` → \`data-2022-09-14T05-02-14.173.json\`.

zstd here comes from libzstd (Bun), not klauspost/compress, so the compressed bytes differ from a Collector's, but the structure is the same: one-shot frames (\`EncodeAll\`) carry their content size; streaming frames (\`node:zlib\` \`createZstdCompress\`) do not. (Bun's zstd stream appends an empty 9-byte frame after the real one at its end; the script cuts it off, since the Collector's encoder writes no such frame.) Level 3 throughout (klauspost's \`SpeedDefault\`).

## Long lines (not committed)

\`writeLongLineFiles(dir)\` (called by the test) writes, from ${LONG_BATCHES} batches of ${LONG_BATCH_SIZE} spans that a \`BatchSpanProcessor\` (\`maxExportBatchSize: ${LONG_BATCH_SIZE}\`) exported (seed ${LONG_SEED}, services \`bulk-api\`, \`bulk-db\`, traces of 10 nested spans):

- \`sdk-batch-lines.jsonl\`: each batch's \`JsonTraceSerializer\` request on one line (~2 MB a line);
- \`collector-json-native-long.jsonl.zst\`: the same lines in one streaming zstd frame;
- \`collector-proto-long.binpb\`: the same spans as length-prefixed proto requests of two batches (${2 * LONG_BATCH_SIZE} spans) each, as a Collector batch processor would merge them, so that each message is over 1 MiB;
- \`sdk-lines-around-1mib.jsonl\`: three requests of k − 1, k and k + 1 spans, where k is the fewest spans whose request is over 1 MiB (so the lines straddle 1 MiB).

They return their expected counts, computed the same way.
`;
}
