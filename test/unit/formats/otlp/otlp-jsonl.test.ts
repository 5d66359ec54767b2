import { expect, test } from "bun:test";
import type { ByteSource, NormalisedSpan, RecordIssue, SpanSink } from "../../../../src/formats/types.ts";
import { otlpJson } from "../../../../src/formats/otlp/otlp-json.ts";
import { otlpJsonLines } from "../../../../src/formats/otlp/otlp-jsonl.ts";

async function* bytesOf(text: string): ByteSource {
  yield new TextEncoder().encode(text);
}

function collect(): SpanSink & { spans: NormalisedSpan[]; issues: RecordIssue[] } {
  const spans: NormalisedSpan[] = [];
  const issues: RecordIssue[] = [];
  return { spans, issues, span: (s) => spans.push(s), issue: (i) => issues.push(i), signal: new AbortController().signal };
}

const probe = { shape: "json-lines" as const, bytes: new Uint8Array(), text: "" };

// The OpenTelemetry JS SDK writes int64 fields as JSON numbers; beyond 2^53
// JSON.parse rounds them.
const request = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: "0af7651916cd43dd8448eb211c80319c",
              spanId: "b7ad6b7169203331",
              name: "n",
              startTimeUnixNano: "@1700000000000000001",
              endTimeUnixNano: "@1700000000000000999",
              attributes: [
                { key: "big", value: { intValue: "@12345678901234567891" } },
                { key: "neg", value: { intValue: "@-9223372036854775807" } },
                { key: "safe", value: { intValue: 9007199254740991 } },
                { key: "double", value: { doubleValue: 12345678901234567891.5 } },
              ],
              events: [{ timeUnixNano: "@1700000000000000555", name: "e" }],
            },
          ],
        },
      ],
    },
  ],
};
// "@123" in the template stands for the JSON number 123.
const line = JSON.stringify(request).replace(/"@(-?\d+)"/g, "$1");

function expectExact(s: NormalisedSpan): void {
  expect(s.startNs).toBe(1700000000000000001n);
  expect(s.endNs).toBe(1700000000000000999n);
  expect(s.attributes).toEqual([
    { key: "big", value: { intValue: "12345678901234567891" } },
    { key: "neg", value: { intValue: "-9223372036854775807" } },
    { key: "safe", value: { intValue: "9007199254740991" } },
    { key: "double", value: { doubleValue: 12345678901234567891.5 } },
  ]);
  expect(s.events[0]!.timeUnixNano).toBe("1700000000000000555");
}

test("JSON Lines: integers beyond 2^53 written as JSON numbers stay exact", async () => {
  const sink = collect();
  await otlpJsonLines.read(bytesOf(`${line}\n${line.replace("b7ad6b7169203331", "b7ad6b7169203332")}\n`), sink, probe);
  expect(sink.issues).toEqual([]);
  expect(sink.spans.length).toBe(2);
  for (const s of sink.spans) expectExact(s);
});

test("one OTLP JSON document: the same integers stay exact", async () => {
  const sink = collect();
  await otlpJson.read(bytesOf(line), sink, { ...probe, shape: "json-document" });
  expect(sink.issues).toEqual([]);
  expect(sink.spans.length).toBe(1);
  expectExact(sink.spans[0]!);
});
