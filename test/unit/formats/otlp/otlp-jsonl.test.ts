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

// ---------------------------------------------------------------------------
// Lines over 1 MiB, streamed into the document reader chunk by chunk.

/** A request line of `n` spans (over 1 MiB from about 3,000), span ids from `base`. */
function bigLine(n: number, base = 0): string {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: (base + i + 1).toString(16).padStart(32, "0"),
    spanId: (base + i + 1).toString(16).padStart(16, "0"),
    name: "op-" + "x".repeat(300),
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000000001000",
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] }, scopeSpans: [{ spans }] }] });
}

async function* chunksOf(bytes: Uint8Array, size: number): ByteSource {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

test("a long line with a syntax error in its middle: its error with the line and position, its spans before the error kept, the lines after it read", async () => {
  const good = bigLine(7000);
  expect(good.length).toBeGreaterThan(1024 * 1024);
  // Break the line about four fifths in, between two spans' fields.
  const at = good.indexOf('"spanId"', Math.floor(good.length * 0.8));
  const bad = good.slice(0, at) + "}}" + good.slice(at);
  // What the document reader says of the line on its own, read whole, and the
  // spans it keeps before the error: spans wait for the end of their block (a
  // schemaUrl may follow them) unless 5,000 are waiting, so 5,000 here.
  const aloneSink = collect();
  const alone = await otlpJson.read(bytesOf(bad), aloneSink, { ...probe, shape: "json-document" }).catch((e: Error) => e);
  expect(alone).toBeInstanceOf(Error);
  const before = aloneSink.spans.length;
  expect(before).toBe(5000);
  const expected = `invalid JSON: ${(alone as Error).message}`;
  expect(expected).toMatch(/line 1, column \d+/);

  const text = [line, bad, bigLine(3500, 10_000), "", line.replace("b7ad6b7169203331", "b7ad6b7169203339"), bad, line.replace("b7ad6b7169203331", "b7ad6b716920333a")].join("\r\n") + "\n";
  const bytes = new TextEncoder().encode(text);
  for (const size of [65_536, 512 * 1024, 100_003, 8 * 1024 * 1024]) {
    const sink = collect();
    await otlpJsonLines.read(chunksOf(bytes, size), sink, probe);
    expect(sink.issues).toEqual([
      { line: 2, severity: "error", message: expected },
      { line: 6, severity: "error", message: expected },
    ]);
    expect(sink.spans.length).toBe(1 + before + 3500 + 1 + before + 1);
    const ids = sink.spans.map((s) => s.spanId);
    expect(ids[0]).toBe("b7ad6b7169203331");
    expect(ids[1 + before + 3500]).toBe("b7ad6b7169203339");
    expect(ids.at(-1)).toBe("b7ad6b716920333a");
    expect(new Set(ids.slice(1 + before, 1 + before + 3500))).toEqual(new Set(Array.from({ length: 3500 }, (_, i) => (10_000 + i + 1).toString(16).padStart(16, "0"))));
  }
});

test("a long line split across many chunks: every span, in order; a long blank line is skipped; a long line cut short at the end is its error", async () => {
  const big = bigLine(3200);
  const text = `${big}\n${" ".repeat(1_200_000)}\n${line}\n${big.slice(0, -50)}`;
  const bytes = new TextEncoder().encode(text);
  for (const size of [4096, 77_777]) {
    const sink = collect();
    await otlpJsonLines.read(chunksOf(bytes, size), sink, probe);
    expect(sink.spans.length).toBe(3200 + 1);
    expect(sink.spans.slice(0, 3200).map((s) => s.spanId)).toEqual(Array.from({ length: 3200 }, (_, i) => (i + 1).toString(16).padStart(16, "0")));
    expect(sink.spans[3200]!.spanId).toBe("b7ad6b7169203331");
    expect(sink.issues.length).toBe(1);
    expect(sink.issues[0]!.line).toBe(4);
    expect(sink.issues[0]!.message).toMatch(/^invalid JSON: .*ends early/);
  }
});

test("strict: a syntax error in a long line stops the read", async () => {
  const bad = bigLine(3200).replace('"spanId"', '"spanId" "x"');
  const sink = collect();
  const strictSink: SpanSink = {
    ...sink,
    issue: (i) => {
      if (i.severity === "error") throw new Error(`stopped at line ${i.line}`);
    },
  };
  const err = await otlpJsonLines.read(chunksOf(new TextEncoder().encode(`${line}\n${bad}\n${line}\n`), 65_536), strictSink, probe).catch((e: Error) => e);
  expect((err as Error).message).toBe("stopped at line 2");
  expect(sink.spans.length).toBe(1);
});

test("a long line's spans are read while its chunks still arrive (so the reader thread's backpressure, awaited before each chunk, holds within it)", async () => {
  const bytes = new TextEncoder().encode(`${bigLine(7000)}\n${line}\n`);
  const size = 64 * 1024;
  const chunks = Math.ceil(bytes.length / size);
  let pulled = 0;
  async function* source(): ByteSource {
    for (let i = 0; i < bytes.length; i += size) {
      pulled++;
      yield bytes.subarray(i, i + size);
    }
  }
  const pulledAtSpan: number[] = [];
  const sink = collect();
  await otlpJsonLines.read(source(), { ...sink, span: (s) => (sink.spans.push(s), pulledAtSpan.push(pulled)) }, probe);
  expect(sink.issues).toEqual([]);
  expect(sink.spans.length).toBe(7001);
  // The first 5,000 go once that many wait for their block's end, long before the line's last chunk.
  expect(pulledAtSpan[0]!).toBeLessThan(chunks * 0.8);
  expect(pulledAtSpan[5000]!).toBeGreaterThan(pulledAtSpan[0]!);
});
