import { expect, test } from "bun:test";
import type { Warning } from "../../../../src/formats/types.ts";
import { RecordError } from "../../../../src/formats/types.ts";
import { jaegerProcess, normaliseJaegerSpan } from "../../../../src/formats/jaeger/jaeger-span.ts";

const process = jaegerProcess({ serviceName: "svc", tags: [{ key: "host", type: "string", value: "h1" }] }, "process");

function span(extra: Record<string, unknown>) {
  return { traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331", operationName: "op", startTime: 1_500_000_000_000_000, duration: 250, ...extra };
}

test("tags of every type, with int64 beyond 2^53 kept exact", () => {
  const w: Warning[] = [];
  const s = normaliseJaegerSpan(
    span({
      tags: [
        { key: "s", type: "string", value: "x" },
        { key: "b", type: "bool", value: true },
        { key: "bs", type: "bool", value: "true" },
        { key: "i", type: "int64", value: 42 },
        { key: "big", type: "int64", value: "9223372036854775222" },
        { key: "f", type: "float64", value: 72.5 },
        { key: "bin", type: "binary", value: "AAAwOQ==" },
      ],
    }),
    process,
    w,
  );
  expect(s.attributes).toEqual([
    { key: "s", value: { stringValue: "x" } },
    { key: "b", value: { boolValue: true } },
    { key: "bs", value: { boolValue: true } },
    { key: "i", value: { intValue: "42" } },
    { key: "big", value: { intValue: "9223372036854775222" } },
    { key: "f", value: { doubleValue: 72.5 } },
    { key: "bin", value: { bytesValue: "AAAwOQ==" } },
  ]);
  expect(s.startNs).toBe(1_500_000_000_000_000_000n);
  expect(s.endNs).toBe(1_500_000_000_000_250_000n); // 250 µs later
  expect(s.service).toBe("svc");
  expect(s.resource[0]).toEqual({ key: "service.name", value: { stringValue: "svc" } });
  expect(w).toEqual([]);
});

test("CHILD_OF is the parent; FOLLOWS_FROM and other traces become links", () => {
  const s = normaliseJaegerSpan(
    span({
      references: [
        { refType: "CHILD_OF", traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "00f067aa0ba902b7" },
        { refType: "FOLLOWS_FROM", traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "1111111111111111" },
        { refType: "CHILD_OF", traceID: "ffffffffffffffffffffffffffffffff", spanID: "2222222222222222" },
      ],
    }),
    process,
    [],
  );
  expect(s.parentSpanId).toBe("00f067aa0ba902b7");
  expect(s.links.map((l) => [l.spanId, l.attributes[0]!.value])).toEqual([
    ["1111111111111111", { stringValue: "follows_from" }],
    ["2222222222222222", { stringValue: "child_of" }],
  ]);
});

test("span.kind, error and otel status tags map to kind and status; logs become named events", () => {
  const s = normaliseJaegerSpan(
    span({
      tags: [
        { key: "span.kind", type: "string", value: "client" },
        { key: "error", type: "bool", value: true },
        { key: "otel.status_description", type: "string", value: "boom" },
      ],
      logs: [{ timestamp: 1_500_000_000_000_100, fields: [{ key: "event", type: "string", value: "retry" }, { key: "n", type: "int64", value: 2 }] }],
    }),
    process,
    [],
  );
  expect(s.kind).toBe(3);
  expect(s.statusCode).toBe(2);
  expect(s.statusMessage).toBe("boom");
  expect(s.events).toEqual([{ timeUnixNano: "1500000000000100000", name: "retry", attributes: [{ key: "n", value: { intValue: "2" } }] }]);
});

test("a span without a duration is kept, without an end, and marked", () => {
  const w: Warning[] = [];
  const s = normaliseJaegerSpan(span({ duration: undefined }), process, w);
  expect(s.endNs).toBeNull();
  expect(w.map((x) => x.message)).toContain("span has no duration; kept without an end time");
});

test("a malformed value is an error for the record", () => {
  expect(() => normaliseJaegerSpan(span({ duration: "invalid" }), process, [])).toThrow(RecordError);
  expect(() => normaliseJaegerSpan(span({ tags: [{ key: "i", type: "int64", value: "12x" }] }), process, [])).toThrow(/typed int64/);
  expect(() => normaliseJaegerSpan(span({ spanID: "not-hex" }), process, [])).toThrow(/neither hex nor base64/);
});
