import { describe, expect, test } from "bun:test";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Link } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace";
import type { Location, NormalisedSpan, RecordIssue } from "../../../../src/formats/types.ts";
import { emitProtoRequest, emitProtoResourceSpans } from "../../../../src/formats/otlp/otlp-proto-decode.ts";
import { emitOtlpRequest } from "../../../../src/formats/otlp/otlp-request.ts";

// ---------------------------------------------------------------------------
// Helpers

interface Collected {
  spans: NormalisedSpan[];
  issues: RecordIssue[];
  out: { span(s: NormalisedSpan): void; issue(i: RecordIssue): void };
}

function collect(): Collected {
  const spans: NormalisedSpan[] = [];
  const issues: RecordIssue[] = [];
  return { spans, issues, out: { span: (s) => spans.push(s), issue: (i) => issues.push(i) } };
}

function fromProto(bytes: Uint8Array, where: Omit<Location, "path"> = {}): Collected {
  const c = collect();
  emitProtoRequest(bytes, where, c.out);
  return c;
}

function fromJson(req: unknown, where: Omit<Location, "path"> = {}): Collected {
  const c = collect();
  emitOtlpRequest(req, [], where, c.out);
  return c;
}

/** Both readers give the same spans and the same issues. Returns the protobuf side. */
function expectSame(bytes: Uint8Array, json: unknown): Collected {
  const p = fromProto(bytes);
  const j = fromJson(json);
  expect(p.spans).toEqual(j.spans);
  expect(p.issues).toEqual(j.issues);
  return p;
}

// A test-side OTLP protobuf writer from OTLP-JSON-shaped objects (hex ids, string
// nanos, intValue as string or number), with @bufbuild/protobuf's BinaryWriter, after
// the field numbers of opentelemetry-proto (common.proto, trace.proto). `unknown`
// adds fields no version of the protocol defines, of every wire type, to every message.

type J = Record<string, any>;
const LEN = WireType.LengthDelimited;

function unknownFields(w: BinaryWriter, on: boolean): void {
  if (!on) return;
  w.tag(901, WireType.Varint).uint64(123456789012345n);
  w.tag(902, WireType.Bit64).fixed64(7n);
  w.tag(903, LEN).string("future");
  w.tag(904, WireType.Bit32).fixed32(9);
  w.tag(905, LEN).fork().tag(1, LEN).string("nested").join();
  // A group (deprecated proto2 encoding, still skippable).
  w.tag(906, WireType.StartGroup).tag(1, WireType.Varint).uint32(1).tag(906, WireType.EndGroup);
}

function message(w: BinaryWriter, field: number, u: boolean, body: (w: BinaryWriter) => void): void {
  w.tag(field, LEN).fork();
  body(w);
  unknownFields(w, u);
  w.join();
}

function writeAny(w: BinaryWriter, v: J, u: boolean): void {
  if ("stringValue" in v) w.tag(1, LEN).string(v.stringValue);
  else if ("boolValue" in v) w.tag(2, WireType.Varint).bool(v.boolValue);
  else if ("intValue" in v) w.tag(3, WireType.Varint).int64(BigInt(v.intValue));
  else if ("doubleValue" in v) w.tag(4, WireType.Bit64).double(Number(v.doubleValue));
  else if ("bytesValue" in v) w.tag(7, LEN).bytes(Buffer.from(v.bytesValue, "base64"));
  else if ("arrayValue" in v)
    message(w, 5, u, (w) => {
      for (const x of v.arrayValue.values ?? []) message(w, 1, u, (w) => writeAny(w, x, u));
    });
  else if ("kvlistValue" in v)
    message(w, 6, u, (w) => {
      for (const kv of v.kvlistValue.values ?? []) writeKv(w, 1, kv, u);
    });
}

function writeKv(w: BinaryWriter, field: number, kv: J, u: boolean): void {
  message(w, field, u, (w) => {
    w.tag(1, LEN).string(kv.key);
    if (kv.value !== undefined) message(w, 2, u, (w) => writeAny(w, kv.value, u));
  });
}

const hexBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));

function writeSpan(w: BinaryWriter, s: J, u: boolean): void {
  if (s.traceId !== undefined) w.tag(1, LEN).bytes(hexBytes(s.traceId));
  if (s.spanId !== undefined) w.tag(2, LEN).bytes(hexBytes(s.spanId));
  if (s.traceState) w.tag(3, LEN).string(s.traceState);
  if (s.parentSpanId) w.tag(4, LEN).bytes(hexBytes(s.parentSpanId));
  if (s.name !== undefined) w.tag(5, LEN).string(s.name);
  if (s.kind) w.tag(6, WireType.Varint).int32(s.kind);
  if (s.startTimeUnixNano) w.tag(7, WireType.Bit64).fixed64(BigInt(s.startTimeUnixNano));
  if (s.endTimeUnixNano) w.tag(8, WireType.Bit64).fixed64(BigInt(s.endTimeUnixNano));
  for (const kv of s.attributes ?? []) writeKv(w, 9, kv, u);
  if (s.droppedAttributesCount) w.tag(10, WireType.Varint).uint32(s.droppedAttributesCount);
  for (const e of s.events ?? [])
    message(w, 11, u, (w) => {
      if (e.timeUnixNano) w.tag(1, WireType.Bit64).fixed64(BigInt(e.timeUnixNano));
      if (e.name) w.tag(2, LEN).string(e.name);
      for (const kv of e.attributes ?? []) writeKv(w, 3, kv, u);
      if (e.droppedAttributesCount) w.tag(4, WireType.Varint).uint32(e.droppedAttributesCount);
    });
  if (s.droppedEventsCount) w.tag(12, WireType.Varint).uint32(s.droppedEventsCount);
  for (const l of s.links ?? [])
    message(w, 13, u, (w) => {
      if (l.traceId !== undefined) w.tag(1, LEN).bytes(hexBytes(l.traceId));
      if (l.spanId !== undefined) w.tag(2, LEN).bytes(hexBytes(l.spanId));
      if (l.traceState) w.tag(3, LEN).string(l.traceState);
      for (const kv of l.attributes ?? []) writeKv(w, 4, kv, u);
      if (l.droppedAttributesCount) w.tag(5, WireType.Varint).uint32(l.droppedAttributesCount);
      if (l.flags) w.tag(6, WireType.Bit32).fixed32(l.flags);
    });
  if (s.droppedLinksCount) w.tag(14, WireType.Varint).uint32(s.droppedLinksCount);
  if (s.status)
    message(w, 15, u, (w) => {
      if (s.status.message) w.tag(2, LEN).string(s.status.message);
      if (s.status.code) w.tag(3, WireType.Varint).int32(s.status.code);
    });
  if (s.flags) w.tag(16, WireType.Bit32).fixed32(s.flags);
}

function writeResourceSpansBody(w: BinaryWriter, rs: J, u: boolean): void {
  if (rs.resource)
    message(w, 1, u, (w) => {
      for (const kv of rs.resource.attributes ?? []) writeKv(w, 1, kv, u);
    });
  const blocks: [number, string, J[] | undefined][] = [
    [2, "scope", rs.scopeSpans],
    [1000, "instrumentationLibrary", rs.instrumentationLibrarySpans],
  ];
  for (const [field, scopeKey, list] of blocks)
    for (const ss of list ?? [])
      message(w, field, u, (w) => {
        const scope = ss[scopeKey];
        if (scope)
          message(w, 1, u, (w) => {
            if (scope.name) w.tag(1, LEN).string(scope.name);
            if (scope.version) w.tag(2, LEN).string(scope.version);
            for (const kv of scope.attributes ?? []) writeKv(w, 3, kv, u);
          });
        for (const s of ss.spans ?? []) message(w, 2, u, (w) => writeSpan(w, s, u));
        if (ss.schemaUrl) w.tag(3, LEN).string(ss.schemaUrl);
      });
  if (rs.schemaUrl) w.tag(3, LEN).string(rs.schemaUrl);
}

function resourceSpansBytes(rs: J, u = false): Uint8Array {
  const w = new BinaryWriter();
  writeResourceSpansBody(w, rs, u);
  unknownFields(w, u);
  return w.finish();
}

function requestBytes(req: J, u = false): Uint8Array {
  const w = new BinaryWriter();
  for (const rs of req.resourceSpans) message(w, 1, u, (w) => writeResourceSpansBody(w, rs, u));
  unknownFields(w, u);
  return w.finish();
}

/** A request: field 1 entries around the given ResourceSpans bodies (raw bytes). */
function requestOf(...bodies: Uint8Array[]): Uint8Array {
  const w = new BinaryWriter();
  for (const b of bodies) w.tag(1, LEN).bytes(b);
  return w.finish();
}

const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => new Uint8Array(Buffer.concat(parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)))));

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";

function goodSpan(extra: J = {}): J {
  return { traceId: TRACE, spanId: SPAN, name: "op", kind: 2, startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000500000000", ...extra };
}

function oneSpanRequest(span: J, rs: J = {}): J {
  return { resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] }, scopeSpans: [{ scope: { name: "lib" }, spans: [span] }], ...rs }] };
}

// ---------------------------------------------------------------------------
// 1. The real SDK and its two serializers

const t0 = 1_700_000_000_123; // ms

const nanosOf = ([sec, ns]: [number, number]): bigint => BigInt(sec) * 1_000_000_000n + BigInt(ns);

async function sdkSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const resource = resourceFromAttributes(
    { "service.name": "checkout", "service.version": "1.2.3", "host.cores": 8, "deployment.canary": false, "cpu.load": 0.75, "k8s.labels": ["a", "b"] },
    { schemaUrl: "https://opentelemetry.io/schemas/1.24.0" },
  );
  const provider = new TracerProvider({
    resource,
    spanLimits: { attributeCountLimit: 14, eventCountLimit: 3, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 1 },
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("checkout-lib", "0.9.1", { schemaUrl: "https://opentelemetry.io/schemas/1.21.0" });
  const other = provider.getTracer("db-lib");

  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
  });
  const root = tracer.startSpan("GET /cart", { kind: SpanKind.SERVER, startTime: t0, attributes: { "http.method": "GET", "http.status_code": 200 } }, remote);
  const rootCtx = trace.setSpan(remote, root);

  const linkTarget: Link = {
    context: { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.NONE, traceState: new TraceState("vendor=x") },
    attributes: { "link.kind": "follows", "link.dropped": 1 },
  };
  const child = tracer.startSpan(
    "load cart",
    {
      kind: SpanKind.CLIENT,
      startTime: t0 + 5,
      // linkCountLimit 2: the SDK drops the oldest link.
      links: [{ context: { traceId: "11111111111111111111111111111111", spanId: "2222222222222222", traceFlags: TraceFlags.SAMPLED } }, linkTarget, linkTarget],
      attributes: {
        "str": "hello",
        "str.unicode": "héllo wörld ✓ — 日本語",
        "str.long": "x".repeat(300),
        "bool.t": true,
        "bool.f": false,
        "int.pos": 42,
        "int.neg": -17,
        "int.big": 2 ** 52 + 1,
        "int.zero": 0,
        "double": 3.14159,
        "double.neg": -2.5e-8,
        "arr.str": ["x", "y", ""],
        "arr.bool": [true, false],
        "arr.int": [1, -2, 3],
        "arr.double": [1.5, -0.25],
        "over.limit.1": "dropped",
        "over.limit.2": "dropped too",
      },
    },
    rootCtx,
  );
  // eventCountLimit 3: the SDK drops the oldest event.
  child.addEvent("dropped event", t0 + 6);
  child.addEvent("cache miss", { "cache.key": "cart:42", "cache.ttl": 30, "cache.extra": "dropped" }, t0 + 7);
  child.addEvent("retry", t0 + 8);
  child.addEvent("ok", { attempt: 2 }, t0 + 9);
  child.setStatus({ code: SpanStatusCode.ERROR, message: "cart service unavailable" });
  child.end(t0 + 20);

  const db = other.startSpan("SELECT carts", { kind: SpanKind.PRODUCER, startTime: t0 + 21 }, trace.setSpan(rootCtx, child));
  db.setStatus({ code: SpanStatusCode.OK });
  db.end(t0 + 30);

  const consumer = tracer.startSpan("consume", { kind: SpanKind.CONSUMER, startTime: t0 + 31 }, rootCtx);
  consumer.end(t0 + 35);
  const internal = tracer.startSpan("compute", { startTime: t0 + 36 }, rootCtx); // INTERNAL
  internal.setStatus({ code: SpanStatusCode.OK, message: "fine" });
  internal.end(t0 + 37);

  root.end(t0 + 40);
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

describe("OTLP protobuf from the OpenTelemetry JS SDK", () => {
  test("decodes to exactly what the JSON reader makes of the same spans serialised as JSON", async () => {
    const spans = await sdkSpans();
    expect(spans.length).toBe(5);
    const proto = ProtobufTraceSerializer.serializeRequest(spans)!;
    const json = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!));
    const p = fromProto(proto, { messageNumber: 1, offset: 0 });
    const j = fromJson(json, { messageNumber: 1, offset: 0 });
    expect(p.issues).toEqual([]);
    expect(j.issues).toEqual([]);
    expect(p.spans.length).toBe(5);
    expect(p.spans).toEqual(j.spans);
  });

  test("the decoded values are the SDK's own (not only the same as JSON's)", async () => {
    const spans = await sdkSpans();
    const p = fromProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    // The serializer groups spans by scope: match them by span id.
    expect(p.spans.map((s) => s.name).sort()).toEqual(spans.map((s) => s.name).sort());
    for (const sdk of spans) {
      const got = p.spans.find((s) => s.spanId === sdk.spanContext().spanId)!;
      expect(got.traceId).toBe(sdk.spanContext().traceId);
      expect(got.spanId).toBe(sdk.spanContext().spanId);
      expect(got.parentSpanId).toBe(sdk.parentSpanContext?.spanId ?? null);
      expect(got.kind).toBe(sdk.kind + 1);
      expect(got.statusCode).toBe(sdk.status.code);
      expect(got.statusMessage).toBe(sdk.status.message ?? null);
      expect(got.startNs).toBe(nanosOf(sdk.startTime));
      expect(got.endNs).toBe(nanosOf(sdk.endTime));
      expect(got.droppedAttributesCount).toBe(sdk.droppedAttributesCount);
      expect(got.droppedEventsCount).toBe(sdk.droppedEventsCount);
      expect(got.droppedLinksCount).toBe(sdk.droppedLinksCount);
      expect(got.events.map((e) => e.name)).toEqual(sdk.events.map((e) => e.name));
      expect(got.links.map((l) => l.spanId)).toEqual(sdk.links.map((l) => l.context.spanId));
      expect(got.service).toBe("checkout");
      expect(got.resourceSchemaUrl).toBe("https://opentelemetry.io/schemas/1.24.0");
    }
    const child = p.spans.find((s) => s.name === "load cart")!;
    // Limits set low: the SDK dropped attributes, events and links, and says so.
    expect(child.droppedAttributesCount).toBe(3);
    expect(child.droppedEventsCount).toBe(1);
    expect(child.droppedLinksCount).toBe(1);
    expect(child.events.map((e) => e.name)).toEqual(["cache miss", "retry", "ok"]);
    expect(child.events[0]!.droppedAttributesCount).toBe(1);
    expect(child.events[0]!.timeUnixNano).toBe(String((t0 + 7) * 1_000_000));
    expect(child.events[0]!.attributes).toEqual([
      { key: "cache.key", value: { stringValue: "cart:42" } },
      { key: "cache.ttl", value: { intValue: "30" } },
    ]);
    expect(child.events[1]!.droppedAttributesCount).toBeUndefined();
    expect(child.links.length).toBe(2);
    expect(child.links[0]!.droppedAttributesCount).toBe(1);
    expect(child.links[0]!.attributes).toEqual([{ key: "link.kind", value: { stringValue: "follows" } }]);
    expect(child.links[0]!.flags).toBe(0x100); // not sampled, has-is-remote (and not remote)
    expect(child.links[0]!.traceState).toBe("vendor=x");
    expect(child.traceState).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    expect(child.statusCode).toBe(2);
    const attrs = Object.fromEntries(child.attributes.map((kv) => [kv.key, kv.value]));
    expect(attrs["str.unicode"]).toEqual({ stringValue: "héllo wörld ✓ — 日本語" });
    expect(attrs["str.long"]).toEqual({ stringValue: "x".repeat(300) });
    expect(attrs["int.neg"]).toEqual({ intValue: "-17" });
    expect(attrs["int.big"]).toEqual({ intValue: "4503599627370497" });
    expect(attrs["double.neg"]).toEqual({ doubleValue: -2.5e-8 });
    expect(attrs["bool.f"]).toEqual({ boolValue: false });
    expect(attrs["arr.int"]).toEqual({ arrayValue: { values: [{ intValue: "1" }, { intValue: "-2" }, { intValue: "3" }] } });
    expect(attrs["arr.str"]).toEqual({ arrayValue: { values: [{ stringValue: "x" }, { stringValue: "y" }, { stringValue: "" }] } });
    // The two scopes, and what a scope with a schema URL looks like.
    expect(child.scope).toEqual({ name: "checkout-lib", version: "0.9.1" });
    expect(child.scopeSchemaUrl).toBe("https://opentelemetry.io/schemas/1.21.0");
    const db = p.spans.find((s) => s.name === "SELECT carts")!;
    expect(db.scope).toEqual({ name: "db-lib" });
    expect(db.scopeSchemaUrl).toBeNull();
    // The root's parent is the remote span: flags say sampled, has-is-remote and is-remote.
    const root = p.spans.find((s) => s.name === "GET /cart")!;
    expect(root.parentSpanId).toBe("b7ad6b7169203331");
    expect(root.flags).toBe(0x301);
  });

  test("spans of one ResourceSpans share one resource array, spans of one ScopeSpans one scope object", async () => {
    const p = fromProto(ProtobufTraceSerializer.serializeRequest(await sdkSpans())!);
    const [first, ...rest] = p.spans;
    for (const s of rest) expect(s.resource).toBe(first!.resource);
    const bySameScope = p.spans.filter((s) => s.scope?.name === "checkout-lib");
    expect(bySameScope.length).toBe(4);
    for (const s of bySameScope) expect(s.scope).toBe(bySameScope[0]!.scope);
  });

  test("emitProtoResourceSpans reads one field-1 entry on its own", async () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(await sdkSpans())!;
    // The request is one field-1 entry: tag 0x0a, a varint length, then the ResourceSpans.
    expect(bytes[0]).toBe(0x0a);
    let pos = 1;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[pos++]!;
      len |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    expect(pos + len).toBe(bytes.length);
    const c = collect();
    emitProtoResourceSpans(bytes.subarray(pos), 3, { messageNumber: 2 }, c.out);
    expect(c.spans).toEqual(fromProto(bytes).spans);
  });
});

// ---------------------------------------------------------------------------
// 2. Hand-built messages: what the SDK does not write

describe("hand-built OTLP protobuf", () => {
  test("every AnyValue kind, exactly as the JSON reader normalises it", () => {
    const attributes = [
      { key: "bytes", value: { bytesValue: Buffer.from([0, 1, 2, 255]).toString("base64") } },
      { key: "bytes.empty", value: { bytesValue: "" } },
      { key: "kv", value: { kvlistValue: { values: [{ key: "a", value: { intValue: "1" } }, { key: "b", value: { kvlistValue: { values: [{ key: "c", value: { boolValue: true } }] } } }] } } },
      { key: "kv.empty", value: { kvlistValue: {} } },
      { key: "nested.arrays", value: { arrayValue: { values: [{ arrayValue: { values: [{ stringValue: "deep" }, { arrayValue: {} }] } }, { doubleValue: 0.5 }] } } },
      { key: "nan", value: { doubleValue: "NaN" } },
      { key: "inf", value: { doubleValue: "Infinity" } },
      { key: "-inf", value: { doubleValue: "-Infinity" } },
      { key: "int.max", value: { intValue: "9223372036854775807" } },
      { key: "int.min", value: { intValue: "-9223372036854775808" } },
      { key: "int.2^53+1", value: { intValue: "9007199254740993" } },
      { key: "int.-1", value: { intValue: "-1" } },
      { key: "int.127", value: { intValue: "127" } },
      { key: "int.128", value: { intValue: "128" } },
      { key: "int.16383", value: { intValue: "16383" } },
      { key: "int.16384", value: { intValue: "16384" } },
      { key: "int.0", value: { intValue: "0" } },
      { key: "empty", value: {} },
      { key: "no value" },
      { key: "", value: { stringValue: "empty key" } },
    ];
    const req = oneSpanRequest(goodSpan({ attributes }));
    // The JSON reader wants a key in JSON; in protobuf an absent key is "" (here written as "").
    const p = expectSame(requestBytes(req), req);
    expect(p.spans.length).toBe(1);
    const got = Object.fromEntries(p.spans[0]!.attributes.map((kv) => [kv.key, kv.value]));
    // Independent expectations, not the JSON reader's.
    expect(got.bytes).toEqual({ bytesValue: "AAEC/w==" });
    expect(got["bytes.empty"]).toEqual({ bytesValue: "" });
    expect(got.nan).toEqual({ doubleValue: "NaN" });
    expect(got.inf).toEqual({ doubleValue: "Infinity" });
    expect(got["-inf"]).toEqual({ doubleValue: "-Infinity" });
    expect(got["int.max"]).toEqual({ intValue: "9223372036854775807" });
    expect(got["int.min"]).toEqual({ intValue: "-9223372036854775808" });
    expect(got["int.2^53+1"]).toEqual({ intValue: "9007199254740993" });
    expect(got["int.-1"]).toEqual({ intValue: "-1" });
    expect([got["int.127"], got["int.128"], got["int.16383"], got["int.16384"], got["int.0"]]).toEqual([
      { intValue: "127" },
      { intValue: "128" },
      { intValue: "16383" },
      { intValue: "16384" },
      { intValue: "0" },
    ]);
    expect(got.empty).toEqual({});
    expect(got["no value"]).toEqual({});
    expect(got["kv.empty"]).toEqual({ kvlistValue: { values: [] } });
    expect(got.kv).toEqual({ kvlistValue: { values: [{ key: "a", value: { intValue: "1" } }, { key: "b", value: { kvlistValue: { values: [{ key: "c", value: { boolValue: true } }] } } }] } });
  });

  test("many distinct and repeated strings of all lengths decode exactly (string cache)", () => {
    const text = (i: number) => `${"é".repeat(i % 3)}k${i}${"x".repeat(i % 150)}`;
    const spans = Array.from({ length: 40 }, (_, j) =>
      goodSpan({ name: text(j), attributes: Array.from({ length: 250 }, (_, i) => ({ key: text(i), value: { stringValue: text(i * 7 + j) } })) }),
    );
    // And many more distinct strings of one length than the cache has slots.
    spans.push(goodSpan({ attributes: Array.from({ length: 20_000 }, (_, i) => ({ key: "same.key", value: { stringValue: `v${String(i).padStart(7, "0")}` } })) }));
    const req = { resourceSpans: [{ scopeSpans: [{ spans }] }] };
    const p = expectSame(requestBytes(req), req);
    expect(p.spans[40]!.attributes[12_345]!.value).toEqual({ stringValue: "v0012345" });
    expect(p.spans[39]!.attributes[249]).toEqual({ key: text(249), value: { stringValue: text(249 * 7 + 39) } });
    expect(p.spans.map((s) => s.name)).toEqual(spans.map((s) => s.name));
  });

  test("unknown fields of every wire type at every level are skipped", () => {
    const req = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }, { key: "arr", value: { arrayValue: { values: [{ kvlistValue: { values: [{ key: "k", value: { intValue: "5" } }] } }] } } }] },
          scopeSpans: [
            {
              scope: { name: "lib", version: "1", attributes: [{ key: "scope.attr", value: { stringValue: "v" } }] },
              spans: [
                goodSpan({
                  parentSpanId: "1122334455667788",
                  traceState: "a=b",
                  flags: 257,
                  attributes: [{ key: "x", value: { stringValue: "y" } }],
                  events: [{ timeUnixNano: "1700000000100000000", name: "ev", attributes: [{ key: "e", value: { boolValue: true } }], droppedAttributesCount: 2 }],
                  links: [{ traceId: TRACE, spanId: "0102030405060708", traceState: "l=1", flags: 1, attributes: [{ key: "la", value: { doubleValue: 1.25 } }], droppedAttributesCount: 4 }],
                  status: { code: 2, message: "boom" },
                  droppedAttributesCount: 1,
                  droppedEventsCount: 2,
                  droppedLinksCount: 3,
                }),
              ],
              schemaUrl: "https://example.com/scope",
            },
          ],
          schemaUrl: "https://example.com/resource",
        },
      ],
    };
    const plain = fromProto(requestBytes(req));
    const withUnknown = requestBytes(req, true);
    expect(withUnknown.length).toBeGreaterThan(requestBytes(req).length + 200);
    const p = expectSame(withUnknown, req);
    expect(p.spans).toEqual(plain.spans);
    expect(p.spans[0]!.links[0]).toEqual({ traceId: TRACE, spanId: "0102030405060708", traceState: "l=1", flags: 1, attributes: [{ key: "la", value: { doubleValue: 1.25 } }], droppedAttributesCount: 4 });
    expect(p.spans[0]!.scope).toEqual({ name: "lib", version: "1", attributes: [{ key: "scope.attr", value: { stringValue: "v" } }] });
    expect(p.spans[0]!.resourceSchemaUrl).toBe("https://example.com/resource");
    expect(p.spans[0]!.scopeSchemaUrl).toBe("https://example.com/scope");
  });

  test("ids of odd lengths, all-zero ids and missing ids: the same results and issues as in JSON (hex)", () => {
    const cases: J[] = [
      goodSpan({ traceId: "6b221d5bc9e6496c" }), // 8-byte trace id: padded, warning
      goodSpan({ spanId: "0a0b0c0d" }), // 4-byte span id: padded, warning
      goodSpan({ traceId: "ab".repeat(20) }), // 20 bytes: kept, non-standard
      goodSpan({ spanId: "cd".repeat(12) }), // 12 bytes: kept, non-standard
      goodSpan({ traceId: "ab".repeat(33) }), // longer than 32 bytes: error
      goodSpan({ traceId: "00".repeat(16) }), // all zeros: error
      goodSpan({ spanId: "00".repeat(8) }),
      goodSpan({ traceId: undefined }), // missing
      goodSpan({ spanId: "" }), // present but empty: missing too
      goodSpan({ parentSpanId: "0000000000000000" }), // no parent
      goodSpan({ parentSpanId: "0102" }), // short parent: padded
      goodSpan({ links: [{ traceId: "00".repeat(16), spanId: SPAN }] }),
      goodSpan({ links: [{ traceId: TRACE, spanId: "" }] }),
      goodSpan({ links: [{ traceId: "abcd", spanId: SPAN }] }), // short link id: padded, no warning (as JSON)
    ];
    const req = { resourceSpans: [{ scopeSpans: [{ spans: cases }] }] };
    const p = expectSame(requestBytes(req), req);
    const at = (i: number) => `$.resourceSpans[0].scopeSpans[0].spans[${i}]`;
    expect(p.spans.map((s) => [s.traceId, s.spanId, s.parentSpanId])).toEqual([
      ["00000000000000006b221d5bc9e6496c", SPAN, null],
      [TRACE, "000000000a0b0c0d", null],
      ["ab".repeat(20), SPAN, null],
      [TRACE, "cd".repeat(12), null],
      [TRACE, SPAN, null],
      [TRACE, SPAN, "0000000000000102"],
      [TRACE, SPAN, null],
    ]);
    expect(p.issues.map((i) => [i.path, i.severity, i.message, i.strictError])).toEqual([
      [at(0), "warning", "traceId 6b221d5bc9e6496c is shorter than 16 bytes; left-padded with zeros", undefined],
      [at(1), "warning", "spanId 0a0b0c0d is shorter than 8 bytes; left-padded with zeros", undefined],
      [at(2), "warning", "traceId is 20 bytes long, not 16; kept as it is", true],
      [at(3), "warning", "spanId is 12 bytes long, not 8; kept as it is", true],
      [at(4), "error", "traceId is 33 bytes long; no trace or span id is longer than 32", undefined],
      [at(5), "error", "traceId is all zeros, which is not a valid id", undefined],
      [at(6), "error", "spanId is all zeros, which is not a valid id", undefined],
      [at(7), "error", "traceId is missing", undefined],
      [at(8), "error", "spanId is missing", undefined],
      [at(10), "warning", "parentSpanId 0102 is shorter than 8 bytes; left-padded with zeros", undefined],
      [at(11), "error", "links[0].traceId is all zeros, which is not a valid id", undefined],
      [at(12), "error", "links[0].spanId is missing", undefined],
    ]);
    expect(p.spans[6]!.links[0]!.traceId).toBe("0000000000000000000000000000abcd");
  });

  test("kind, status code, times and flags follow the JSON rules", () => {
    const cases: J[] = [
      goodSpan({ kind: 9 }),
      goodSpan({ kind: -1 }), // a negative enum is a 10-byte varint
      goodSpan({ status: { code: 3 } }),
      goodSpan({ startTimeUnixNano: undefined }),
      goodSpan({ endTimeUnixNano: undefined }),
      goodSpan({ startTimeUnixNano: "1700000000000000001", endTimeUnixNano: "1700000000000000000" }),
      goodSpan({ startTimeUnixNano: "18446744073709551615", endTimeUnixNano: "18446744073709551615", kind: 5, status: { code: 1 }, flags: 0xffffffff }),
      goodSpan({ events: [{ name: "no time" }] }),
    ];
    const req = { resourceSpans: [{ scopeSpans: [{ spans: cases }] }] };
    const p = expectSame(requestBytes(req), req);
    expect(p.issues.map((i) => i.message)).toEqual([
      "kind 9 is not a known value",
      "kind -1 is not a known value",
      "status.code 3 is not a known value",
      "span has no start time",
      "span has no end time (duration unknown)",
      "span ends before it starts",
    ]);
    const max = p.spans.find((s) => s.kind === 5)!;
    expect(max.startNs).toBe(18446744073709551615n);
    expect(max.flags).toBe(0xffffffff);
    expect(max.statusCode).toBe(1);
    expect(p.spans.at(-1)!.events).toEqual([{ timeUnixNano: null, name: "no time", attributes: [] }]);
    expect(p.spans[0]!.flags).toBeNull();
  });

  test("a span with several problems gets the same (first) error as in JSON", () => {
    const deep = nested(40);
    const cases: J[] = [
      goodSpan({ kind: 9, status: { code: 7 }, attributes: [{ key: "d", value: deep }] }),
      goodSpan({ status: { code: 7 }, attributes: [{ key: "d", value: deep }], links: [{ traceId: TRACE, spanId: "" }] }),
      goodSpan({ links: [{ traceId: TRACE, spanId: SPAN, attributes: [{ key: "d", value: deep }] }], events: [{ name: "e", attributes: [{ key: "ok" }, { key: "d", value: deep }] }] }),
      goodSpan({ traceId: "00".repeat(16), kind: 9 }),
    ];
    const req = { resourceSpans: [{ scopeSpans: [{ spans: cases }] }] };
    const p = expectSame(requestBytes(req), req);
    expect(p.issues.length).toBe(4);
    expect(p.issues[2]!.message).toStartWith("events[0].attributes[1].value.arrayValue.values[0]");
  });

  test("the deprecated instrumentation_library_spans (field 1000) is read when there is no scope_spans", () => {
    const legacy = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "old" } }] },
          instrumentationLibrarySpans: [
            { instrumentationLibrary: { name: "io.old.lib", version: "0.1" }, spans: [goodSpan()], schemaUrl: "https://example.com/s" },
            { instrumentationLibrary: {}, spans: [goodSpan({ spanId: "0000000000000000" })] },
          ],
        },
      ],
    };
    const p = expectSame(requestBytes(legacy), legacy);
    expect(p.spans.length).toBe(1);
    expect(p.spans[0]!.scope).toEqual({ name: "io.old.lib", version: "0.1" });
    expect(p.spans[0]!.service).toBe("old");
    expect(p.issues[0]!.path).toBe("$.resourceSpans[0].instrumentationLibrarySpans[1].spans[0]");

    // With both, scope_spans wins and field 1000 is ignored (as the JSON reader does).
    const both = { resourceSpans: [{ ...legacy.resourceSpans[0], scopeSpans: [{ scope: { name: "new" }, spans: [goodSpan({ name: "new" })] }] }] };
    const b = expectSame(requestBytes(both), both);
    expect(b.spans.map((s) => s.name)).toEqual(["new"]);
    expect(b.issues).toEqual([]);
  });

  test("fields in any order: resource and schema URLs after the spans; repeated messages merge", () => {
    const w = new BinaryWriter();
    // ScopeSpans: spans first, then schema_url, then scope.
    w.tag(2, LEN).fork();
    w.tag(2, LEN).fork();
    writeSpan(w, goodSpan(), false);
    w.join();
    w.tag(3, LEN).string("https://example.com/scope");
    w.tag(1, LEN).fork().tag(1, LEN).string("lib").join();
    w.tag(1, LEN).fork().tag(2, LEN).string("2.0").join();
    w.join();
    w.tag(3, LEN).string("https://example.com/res");
    w.tag(1, LEN).fork();
    writeKv(w, 1, { key: "service.name", value: { stringValue: "late" } }, false);
    w.join();
    w.tag(1, LEN).fork();
    writeKv(w, 1, { key: "more", value: { intValue: "1" } }, false);
    w.join();
    const c = collect();
    emitProtoResourceSpans(w.finish(), 0, {}, c.out);
    expect(c.issues).toEqual([]);
    expect(c.spans.length).toBe(1);
    const s = c.spans[0]!;
    expect(s.service).toBe("late");
    expect(s.resource).toEqual([
      { key: "service.name", value: { stringValue: "late" } },
      { key: "more", value: { intValue: "1" } },
    ]);
    expect(s.scope).toEqual({ name: "lib", version: "2.0" });
    expect(s.resourceSchemaUrl).toBe("https://example.com/res");
    expect(s.scopeSchemaUrl).toBe("https://example.com/scope");
  });

  test("invalid UTF-8 is decoded as TextDecoder does (replacement characters), not an error", () => {
    const w = new BinaryWriter();
    w.tag(2, LEN).fork().tag(2, LEN).fork();
    w.tag(1, LEN).bytes(hexBytes(TRACE)).tag(2, LEN).bytes(hexBytes(SPAN));
    w.tag(5, LEN).bytes(new Uint8Array([0x61, 0xff, 0x62, 0xc3]));
    w.tag(7, WireType.Bit64).fixed64(1n).tag(8, WireType.Bit64).fixed64(2n);
    w.join().join();
    const c = collect();
    emitProtoResourceSpans(w.finish(), 0, {}, c.out);
    expect(c.issues).toEqual([]);
    expect(c.spans[0]!.name).toBe(new TextDecoder().decode(new Uint8Array([0x61, 0xff, 0x62, 0xc3])));
    expect(c.spans[0]!.name).toBe("a\uFFFDb\uFFFD");
  });
});

// ---------------------------------------------------------------------------
// 3. Errors

/** An AnyValue with `levels` arrays around a string: the string is at depth `levels`. */
function nested(levels: number): J {
  let v: J = { stringValue: "bottom" };
  for (let i = 0; i < levels; i++) v = { arrayValue: { values: [v] } };
  return v;
}

describe("malformed protobuf", () => {
  const where = { messageNumber: 4, offset: 1000 };
  // A ResourceSpans whose first field is a complete, valid Resource; then the broken tail.
  const head = resourceSpansBytes({ resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] } });
  const good = resourceSpansBytes(oneSpanRequest(goodSpan()).resourceSpans[0]);
  const goodSpans = fromProto(requestOf(good)).spans;

  function expectBroken(tail: number[] | Uint8Array, reason: RegExp, byteInTail: number): void {
    const rs = concat(head, tail);
    // On its own: offsets from the start of the ResourceSpans bytes.
    const alone = collect();
    emitProtoResourceSpans(rs, 2, where, alone.out);
    expect(alone.spans).toEqual([]);
    expect(alone.issues.length).toBe(1);
    const message = alone.issues[0]!.message;
    expect(alone.issues[0]).toEqual({ ...where, path: "$.resourceSpans[2]", severity: "error", message });
    expect(message).toMatch(reason);
    expect(message).toStartWith("malformed protobuf: ");
    expect(message).toEndWith(` at byte ${head.length + byteInTail} of the message`);

    // In a request, between two good ResourceSpans: the others still emit, offsets from the request's start.
    const req = requestOf(good, rs, good);
    const p = fromProto(req, where);
    expect(p.spans).toEqual([...goodSpans, ...goodSpans]);
    expect(p.issues.length).toBe(1);
    const rsStart = requestOf(good).length + 1 + (rs.length < 128 ? 1 : 2);
    const inRequest = message.replace(/ at byte \d+ of the message$/, ` at byte ${rsStart + head.length + byteInTail} of the message`);
    expect(p.issues[0]).toEqual({ ...where, path: "$.resourceSpans[1]", severity: "error", message: inRequest });
  }

  /** A ScopeSpans (field 2) holding one span whose bytes are `spanBytes`. */
  function scopeWithSpan(spanBytes: Uint8Array): Uint8Array {
    const w = new BinaryWriter();
    w.tag(2, LEN).fork().tag(2, LEN).bytes(spanBytes).join();
    return w.finish();
  }
  const spanBytes = (() => {
    const w = new BinaryWriter();
    writeSpan(w, goodSpan(), false);
    return w.finish();
  })();

  test("a good span nested in a ResourceSpans is found (the fixture is sound)", () => {
    const p = fromProto(requestOf(concat(head, scopeWithSpan(spanBytes))));
    expect(p.issues).toEqual([]);
    expect(p.spans.length).toBe(1);
  });

  test("truncated: a field's length runs past the end of the ResourceSpans", () => {
    // A ScopeSpans that says 50 bytes follow, and 3 do (the offset is the length's).
    expectBroken([0x12, 50, 0x0a, 0x01, 0x41], /length 50 runs past the end/, 1);
  });

  test("truncated: the last varint is cut", () => {
    // ScopeSpans, span, kind field whose varint has its continuation bit set and then nothing.
    expectBroken([0x12, 4, 0x12, 2, 0x30, 0x85], /truncated varint/, 5);
  });

  test("truncated: a fixed64 cut short inside its span", () => {
    expectBroken([0x12, 7, 0x12, 5, 0x39, 1, 2, 3, 4], /truncated fixed64/, 5);
  });

  test("bad wire type: an invalid wire type, and a known field with the wrong one", () => {
    // Field 2, wire type 7.
    expectBroken([0x17, 0x00], /invalid wire type 7/, 0);
    // Span field 1 (trace_id) as a varint.
    expectBroken([0x12, 4, 0x12, 2, 0x08, 0x01], /field 1 has the wrong wire type 0/, 4);
    // An end-group tag (of an unknown field 20) with no group.
    expectBroken([0x12, 4, 0x12, 2, 0xa4, 0x01], /end-group/, 4);
  });

  test("a length past the end of the enclosing message (not only of the buffer)", () => {
    // The span says 3 bytes; its name field says 10: the name would read into what follows.
    expectBroken([0x12, 20, 0x12, 3, 0x2a, 10, 0x41, ...new Array(15).fill(0x41)], /length 10 runs past the end/, 5);
  });

  test("varint overflow: more than 10 bytes, and a tag beyond 32 bits", () => {
    expectBroken([0x12, 15, 0x12, 13, 0x30, ...new Array(11).fill(0xff), 0x01], /longer than 10 bytes/, 5);
    expectBroken([0xff, 0xff, 0xff, 0xff, 0x7f], /tag overflows 32 bits/, 0);
  });

  test("field number 0", () => {
    expectBroken([0x02, 0x00], /invalid field number 0/, 0);
  });

  test("a wire error at the request's top level: one issue at $, after the ResourceSpans before it", () => {
    const req = concat(requestOf(good), [0x0a, 0x7f, 0x01]);
    const p = fromProto(req, where);
    expect(p.spans).toEqual(goodSpans);
    expect(p.issues).toEqual([{ ...where, path: "$", severity: "error", message: `malformed protobuf: length 127 runs past the end at byte ${requestOf(good).length + 1} of the message` }]);
    const q = fromProto(new Uint8Array([0x0f]), where);
    expect(q.issues).toEqual([{ ...where, path: "$", severity: "error", message: "malformed protobuf: invalid wire type 7 (field 1) at byte 0 of the message" }]);
  });

  test("an empty request has no spans and no issues; unknown top-level fields are skipped", () => {
    expect(fromProto(new Uint8Array(0)).issues).toEqual([]);
    const p = fromProto(concat([0x10, 0x05], requestOf(good), [0x1a, 0x01, 0x00]));
    expect(p.issues).toEqual([]);
    expect(p.spans).toEqual(goodSpans);
  });

  test("nesting deeper than any-value.ts allows: the same RecordError as JSON, for that span only", () => {
    // The boundary is the JSON reader's: depth 32 is accepted, 33 is not.
    for (const [levels, ok] of [[32, true], [33, false]] as const) {
      const req = oneSpanRequest(goodSpan({ attributes: [{ key: "ok", value: { stringValue: "x" } }, { key: "deep", value: nested(levels) }] }));
      req.resourceSpans[0].scopeSpans[0].spans.push(goodSpan({ name: "sibling" }));
      const p = expectSame(requestBytes(req), req);
      if (ok) {
        expect(p.issues).toEqual([]);
        expect(p.spans.length).toBe(2);
      } else {
        expect(p.spans.map((s) => s.name)).toEqual(["sibling"]);
        expect(p.issues).toEqual([
          {
            path: "$.resourceSpans[0].scopeSpans[0].spans[0]",
            severity: "error",
            message: `attributes[1].value${".arrayValue.values[0]".repeat(33)} is nested more than 32 levels deep`,
          },
        ]);
      }
    }
    // kvlists count as levels too, with their own path segments.
    let kv: J = { stringValue: "bottom" };
    for (let i = 0; i < 40; i++) kv = { kvlistValue: { values: [{ key: "k", value: kv }] } };
    expectSame(requestBytes(oneSpanRequest(goodSpan({ attributes: [{ key: "kv", value: kv }] }))), oneSpanRequest(goodSpan({ attributes: [{ key: "kv", value: kv }] })));
  });

  test("too deep in the resource or the scope: one issue at resource or scope, as JSON", () => {
    const deepAttr = [{ key: "deep", value: nested(50) }];
    const r1 = { resourceSpans: [{ resource: { attributes: deepAttr }, scopeSpans: [{ spans: [goodSpan()] }] }, oneSpanRequest(goodSpan()).resourceSpans[0]] };
    const p1 = expectSame(requestBytes(r1), r1);
    expect(p1.issues.map((i) => i.path)).toEqual(["$.resourceSpans[0].resource"]);
    expect(p1.spans.length).toBe(1);
    const r2 = { resourceSpans: [{ scopeSpans: [{ scope: { name: "s", attributes: deepAttr }, spans: [goodSpan()] }, { spans: [goodSpan()] }] }] };
    const p2 = expectSame(requestBytes(r2), r2);
    expect(p2.issues.map((i) => i.path)).toEqual(["$.resourceSpans[0].scopeSpans[0].scope"]);
    expect(p2.spans.length).toBe(1);
  });

  test("a wire error after a span's semantic error still rejects the whole ResourceSpans", () => {
    const w = new BinaryWriter();
    writeSpan(w, goodSpan({ traceId: "00".repeat(16) }), false);
    const badSpan = concat(w.finish(), [0x30, 0xff]); // then a truncated kind varint
    const rs = concat(head, scopeWithSpan(badSpan));
    const c = collect();
    emitProtoResourceSpans(rs, 0, {}, c.out);
    expect(c.spans).toEqual([]);
    expect(c.issues.length).toBe(1);
    expect(c.issues[0]!.message).toMatch(/^malformed protobuf: truncated varint at byte \d+ of the message$/);
  });
});

// ---------------------------------------------------------------------------
// Speed (opt-in): OTLP_PROTO_BENCH=1 npx bun test src/formats/otlp/otlp-proto-decode.test.ts

test.skipIf(!process.env.OTLP_PROTO_BENCH)("speed: 100k SDK spans, protobuf against JSON.parse + emitOtlpRequest", async () => {
  const base = await sdkSpans();
  const spans: ReadableSpan[] = [];
  while (spans.length < 100_000) spans.push(...base);
  spans.length = 100_000;
  const proto = ProtobufTraceSerializer.serializeRequest(spans)!;
  const jsonText = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!);
  const time = (f: () => void): number => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  const counter = () => {
    let n = 0;
    return { out: { span: () => void n++, issue: () => {} }, count: () => n };
  };
  const runs: { proto: number; json: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const a = counter();
    const b = counter();
    runs.push({
      proto: time(() => emitProtoRequest(proto, {}, a.out)),
      json: time(() => emitOtlpRequest(JSON.parse(jsonText), [], {}, b.out)),
    });
    expect(a.count()).toBe(100_000);
    expect(b.count()).toBe(100_000);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(
    `protobuf ${(proto.length / 1e6).toFixed(1)} MB: median ${median(runs.map((r) => r.proto)).toFixed(0)} ms; ` +
      `JSON ${(jsonText.length / 1e6).toFixed(1)} MB: median ${median(runs.map((r) => r.json)).toFixed(0)} ms; runs ${JSON.stringify(runs.map((r) => [Math.round(r.proto), Math.round(r.json)]))}`,
  );
}, 120_000);
