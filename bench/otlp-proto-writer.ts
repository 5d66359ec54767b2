/**
 * Bench-only: encodes an OTLP JSON ExportTraceServiceRequest (as bench/generate.ts
 * writes it: hex ids, nanosecond strings) as protobuf with @bufbuild/protobuf's
 * BinaryWriter, against opentelemetry-proto's field numbers, so the protobuf
 * benchmarks read the same spans as the JSON ones. Tests use the real SDK's
 * serializer instead; this only has to be right for generate.ts's output.
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

type J = Record<string, any>;

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function anyValue(w: BinaryWriter, v: J): void {
  if ("stringValue" in v) w.tag(1, WireType.LengthDelimited).string(v.stringValue);
  else if ("boolValue" in v) w.tag(2, WireType.Varint).bool(v.boolValue);
  else if ("intValue" in v) w.tag(3, WireType.Varint).int64(v.intValue);
  else if ("doubleValue" in v) w.tag(4, WireType.Bit64).double(Number(v.doubleValue));
  else if ("arrayValue" in v) {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const x of v.arrayValue.values ?? []) {
      w.tag(1, WireType.LengthDelimited).fork();
      anyValue(w, x);
      w.join();
    }
    w.join();
  } else if ("kvlistValue" in v) {
    w.tag(6, WireType.LengthDelimited).fork();
    keyValues(w, 1, v.kvlistValue.values ?? []);
    w.join();
  } else if ("bytesValue" in v) w.tag(7, WireType.LengthDelimited).bytes(Uint8Array.from(Buffer.from(v.bytesValue, "base64")));
}

function keyValues(w: BinaryWriter, field: number, list: J[]): void {
  for (const kv of list) {
    w.tag(field, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string(kv.key);
    w.tag(2, WireType.LengthDelimited).fork();
    anyValue(w, kv.value ?? {});
    w.join();
    w.join();
  }
}

function span(w: BinaryWriter, s: J): void {
  w.tag(1, WireType.LengthDelimited).bytes(hexBytes(s.traceId));
  w.tag(2, WireType.LengthDelimited).bytes(hexBytes(s.spanId));
  if (s.traceState) w.tag(3, WireType.LengthDelimited).string(s.traceState);
  if (s.parentSpanId) w.tag(4, WireType.LengthDelimited).bytes(hexBytes(s.parentSpanId));
  if (s.name) w.tag(5, WireType.LengthDelimited).string(s.name);
  if (s.kind) w.tag(6, WireType.Varint).int32(s.kind);
  if (s.startTimeUnixNano) w.tag(7, WireType.Bit64).fixed64(s.startTimeUnixNano);
  if (s.endTimeUnixNano) w.tag(8, WireType.Bit64).fixed64(s.endTimeUnixNano);
  keyValues(w, 9, s.attributes ?? []);
  for (const e of s.events ?? []) {
    w.tag(11, WireType.LengthDelimited).fork();
    if (e.timeUnixNano) w.tag(1, WireType.Bit64).fixed64(e.timeUnixNano);
    if (e.name) w.tag(2, WireType.LengthDelimited).string(e.name);
    keyValues(w, 3, e.attributes ?? []);
    w.join();
  }
  for (const l of s.links ?? []) {
    w.tag(13, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).bytes(hexBytes(l.traceId));
    w.tag(2, WireType.LengthDelimited).bytes(hexBytes(l.spanId));
    keyValues(w, 4, l.attributes ?? []);
    w.join();
  }
  if (s.status && (s.status.code || s.status.message)) {
    w.tag(15, WireType.LengthDelimited).fork();
    if (s.status.message) w.tag(2, WireType.LengthDelimited).string(s.status.message);
    if (s.status.code) w.tag(3, WireType.Varint).int32(s.status.code);
    w.join();
  }
}

/** One OTLP JSON request (parsed) as protobuf bytes. */
export function encodeOtlpRequest(req: J): Uint8Array {
  const w = new BinaryWriter();
  for (const rs of req.resourceSpans ?? []) {
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).fork();
    keyValues(w, 1, rs.resource?.attributes ?? []);
    w.join();
    for (const ss of rs.scopeSpans ?? []) {
      w.tag(2, WireType.LengthDelimited).fork();
      if (ss.scope) {
        w.tag(1, WireType.LengthDelimited).fork();
        if (ss.scope.name) w.tag(1, WireType.LengthDelimited).string(ss.scope.name);
        if (ss.scope.version) w.tag(2, WireType.LengthDelimited).string(ss.scope.version);
        w.join();
      }
      for (const s of ss.spans ?? []) {
        w.tag(2, WireType.LengthDelimited).fork();
        span(w, s);
        w.join();
      }
      w.join();
    }
    w.join();
  }
  return w.finish();
}

/** The 4-byte big-endian length prefix the Collector's file exporter writes before each message. */
export function lengthPrefix(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}
