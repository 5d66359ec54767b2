/**
 * Every framing a real producer writes, made here from spans of the real
 * OpenTelemetry JS SDK and its own serializers, through the real import task:
 * long JSON Lines, length-prefixed protobuf and JSON, the Collector's legacy
 * and native zstd, gzip and zstd of any format; and what broken framing does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, zstdCompressSync } from "node:zlib";
import type { ImportResult } from "../src/import/import-task.ts";
import { otlpJson } from "../src/formats/otlp/otlp-json.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { createTestContext, type TestContext } from "./helpers/context.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { batches, lengthPrefixed, sdkJson, sdkProtobuf, sdkSpans } from "./helpers/sdk-spans.ts";

let ctx: TestContext;
let dir: string;
beforeAll(() => {
  ctx = createTestContext({ workers: 1 });
  dir = mkdtempSync(join(tmpdir(), "traceport-framings-"));
});
afterAll(async () => {
  await ctx.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const enc = new TextEncoder();
const spans = sdkSpans(6, 50); // 300 spans, 6 traces, 2 services
const requests = batches(spans, 40); // 8 requests, as a batching exporter sends them
const protoMessages = requests.map(sdkProtobuf);
const jsonMessages = requests.map(sdkJson);
const jsonLines = Buffer.concat(jsonMessages.flatMap((m) => [m, enc.encode("\n")]));

let fileNo = 0;
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, `${fileNo++}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** Imports in a store of its own (so every span is new) and returns the settled job. */
async function importFresh(path: string, opts: { strict?: boolean; format?: string } = {}) {
  const own = createTestContext({ workers: 1 });
  try {
    const job = await own.settled(own.importFile(path, opts).id);
    return { job, result: job.result as ImportResult | null, stored: countSpans(own.store, job.id) };
  } finally {
    await own.dispose();
  }
}

function expectAll(r: Awaited<ReturnType<typeof importFresh>>, format: string, compression: string | null) {
  expect(r.job.error).toBeNull();
  expect(r.job.status).toBe("completed");
  expect(r.result!.format).toBe(format);
  expect(r.result!.compression).toBe(compression as never);
  expect(r.result!.spans).toBe(300);
  expect(r.result!.inserted).toBe(300);
  expect(r.result!.traces).toBe(6);
  expect(r.result!.services).toEqual(["checkout", "payments"]);
  expect(r.result!.errors).toBe(0);
  expect(r.stored).toBe(300);
}

describe("what real producers write imports with exact counts", () => {
  test("the SDK's JSON serializer, 3,000 spans a line (lines of ~2 MB)", async () => {
    const big = sdkSpans(4, 1500);
    const lines = batches(big, 3000).map((b) => new TextDecoder().decode(sdkJson(b)));
    expect(lines[0]!.length).toBeGreaterThan(1024 * 1024);
    const r = await importFresh(file("traces.jsonl", enc.encode(lines.join("\n") + "\n")));
    expect(r.job.error).toBeNull();
    expect(r.result!.format).toBe("otlp-jsonl");
    expect(r.result!.spans).toBe(6000);
    expect(r.result!.inserted).toBe(6000);
    expect(r.result!.traces).toBe(4);
    expect(r.stored).toBe(6000);
  });

  test("Collector format: json (JSON Lines) and format: proto (length-prefixed)", async () => {
    expectAll(await importFresh(file("data.json", jsonLines)), "otlp-jsonl", null);
    const proto = await importFresh(file("data.proto", lengthPrefixed(protoMessages)));
    expectAll(proto, "otlp-proto-stream", null);
    expect(proto.result!.detected).toBe("OTLP length-prefixed messages, 8 messages (8 protobuf)");
  });

  test("Collector compression: zstd, legacy framing: each message compressed, then length-prefixed (protobuf and JSON)", async () => {
    const proto = await importFresh(file("data.pb", lengthPrefixed(protoMessages.map((m) => zstdCompressSync(m)))));
    expectAll(proto, "otlp-proto-stream", null);
    expect(proto.result!.detected).toContain("8 messages (8 protobuf), each zstd-compressed");
    const json = await importFresh(file("data.json", lengthPrefixed(jsonMessages.map((m) => zstdCompressSync(m)))));
    expectAll(json, "otlp-proto-stream", null);
    expect(json.result!.detected).toContain("(8 JSON), each zstd-compressed");
  });

  test("Collector compression: zstd, native framing: one stream, or one frame per write", async () => {
    expectAll(await importFresh(file("data.json.zst", zstdCompressSync(jsonLines))), "otlp-jsonl", "zstd");
    const frames = Buffer.concat(jsonMessages.map((m) => zstdCompressSync(Buffer.concat([m, enc.encode("\n")]))));
    expectAll(await importFresh(file("data-2022-09-14T05-02-14.173.json", frames)), "otlp-jsonl", "zstd");
    expectAll(await importFresh(file("data.pb.zst", zstdCompressSync(lengthPrefixed(protoMessages)))), "otlp-proto-stream", "zstd");
  });

  test("one binary ExportTraceServiceRequest, plain, gzip and zstd", async () => {
    const one = sdkProtobuf(spans);
    expectAll(await importFresh(file("spans.binpb", one)), "otlp-proto", null);
    expectAll(await importFresh(file("spans.binpb.gz", gzipSync(one))), "otlp-proto", "gzip");
    expectAll(await importFresh(file("spans.pb.zst", zstdCompressSync(one))), "otlp-proto", "zstd");
  });

  test("zstd of the other formats", async () => {
    const r = await importFresh(file("trace.json.zst", zstdCompressSync(await Bun.file(fixturePath("jaeger/jaeger-ui-genai-57-spans.json")).bytes())));
    expect(r.result!.format).toBe("jaeger");
    expect(r.result!.compression).toBe("zstd");
    expect(r.result!.spans).toBe(57);
  });
});

describe("the name is a hint; the content decides", () => {
  test("JSON named .pb imports as JSON, with a warning saying so", async () => {
    const r = await importFresh(file("export.pb", jsonLines));
    expectAll(r, "otlp-jsonl", null);
    expect(r.result!.warningSamples.map((w) => w.message)).toContain("The file name suggests OTLP protobuf (.pb), but its content is OTLP JSON Lines, not compressed: read as that");
  });
  test("a format given that the content is not fails clearly", async () => {
    const r = await importFresh(file("x.jsonl", jsonLines), { format: "otlp-proto" });
    expect(r.job.status).toBe("failed");
    expect(r.stored).toBe(0);
  });
});

describe("broken framing: the reason and where, the good messages kept when lenient, nothing when strict", () => {
  const goodTwo = protoMessages.slice(0, 2).reduce((n, m) => n + m.length, 0) / 1; // bytes of the first two messages
  const spansOf = (k: number) => requests.slice(0, k).reduce((n, r) => n + r.length, 0);

  test("a truncated stream keeps the messages before the cut", async () => {
    const whole = lengthPrefixed(protoMessages.slice(0, 3));
    const path = file("cut.pb", whole.subarray(0, whole.length - 10));
    const lenient = await importFresh(path);
    expect(lenient.job.status).toBe("completed");
    expect(lenient.result!.inserted).toBe(spansOf(2));
    expect(lenient.result!.errors).toBe(1);
    expect(lenient.result!.samples[0]).toMatchObject({ messageNumber: 3, offset: goodTwo + 8 });
    expect(lenient.result!.samples[0]!.message).toContain("the stream is truncated");
    const strict = await importFresh(path, { strict: true });
    expect(strict.job.status).toBe("failed");
    expect(strict.job.error).toContain(`message 3 (byte ${goodTwo + 8})`);
    expect(strict.stored).toBe(0);
  });

  test("a length prefix over the bound stops reading there", async () => {
    const bad = new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0x0a, 0x00]);
    const r = await importFresh(file("over.pb", Buffer.concat([lengthPrefixed(protoMessages.slice(0, 1)), bad, lengthPrefixed(protoMessages.slice(1, 2))])));
    expect(r.result!.inserted).toBe(spansOf(1));
    expect(r.result!.samples[0]!.message).toContain("more than the 64 MiB a message may have");
    expect(r.result!.samples[0]!.messageNumber).toBe(2);
  });

  test("a malformed protobuf message is skipped; the messages before and after are kept", async () => {
    const broken = protoMessages[1]!.slice(0, protoMessages[1]!.length - 7); // cut inside a span, framed as if whole
    const r = await importFresh(file("bad-message.pb", lengthPrefixed([protoMessages[0]!, broken, protoMessages[2]!])));
    expect(r.job.status).toBe("completed");
    expect(r.result!.inserted).toBe(requests[0]!.length + requests[2]!.length);
    expect(r.result!.errors).toBeGreaterThanOrEqual(1);
    expect(r.result!.samples[0]).toMatchObject({ messageNumber: 2, offset: protoMessages[0]!.length + 4 });
    expect(r.result!.samples[0]!.message).toContain("malformed protobuf");
  });

  test("a corrupt zstd message (legacy framing) is skipped; the others are kept", async () => {
    const frames = protoMessages.slice(0, 3).map((m) => zstdCompressSync(m));
    const corrupt = frames[1]!.slice();
    corrupt.fill(0x55, 6);
    const r = await importFresh(file("bad-zstd.pb", lengthPrefixed([frames[0]!, corrupt, frames[2]!])));
    expect(r.result!.inserted).toBe(requests[0]!.length + requests[2]!.length);
    expect(r.result!.samples[0]!.messageNumber).toBe(2);
    expect(r.result!.samples[0]!.message).toContain("zstd data is corrupt");
  });

  test("a corrupt zstd stream fails its job with the reason, keeps nothing, and the next job runs", async () => {
    const z = zstdCompressSync(jsonLines);
    const corrupt = z.slice();
    corrupt.fill(0x55, Math.floor(z.length / 2), Math.floor(z.length / 2) + 64);
    const bad = await ctx.settled(ctx.importFile(file("bad.jsonl.zst", corrupt)).id);
    expect(bad.status).toBe("failed");
    expect(bad.error).toContain("The zstd data is corrupt or truncated");
    expect(countSpans(ctx.store, bad.id)).toBe(0);
    const good = await ctx.settled(ctx.importFile(fixturePath("otlp/proto-example.json")).id);
    expect(good.status).toBe("completed");
  });

  test("garbage bytes are not a trace file, said with what they start with", async () => {
    const r = await importFresh(file("noise.bin", new Uint8Array([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3])));
    expect(r.job.status).toBe("failed");
    expect(r.job.error).toBe("Not a recognised trace file: its content is neither JSON nor OTLP protobuf");
    expect(r.job.details).toContain("13 37 de ad be ef");
  });
});

describe("schema URLs in one OTLP JSON document", () => {
  const doc = (spans: number) =>
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "s" } }] },
          scopeSpans: [
            {
              scope: { name: "lib" },
              spans: Array.from({ length: spans }, (_, i) => ({ traceId: "ab".repeat(16), spanId: (i + 1).toString(16).padStart(16, "0"), name: "x", startTimeUnixNano: "1", endTimeUnixNano: "2" })),
              schemaUrl: "https://opentelemetry.io/schemas/1.27.0",
            },
          ],
          schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
        },
      ],
    });

  test("after the spans, as protojson writers put them: every span keeps both", async () => {
    const own = createTestContext({ workers: 1 });
    try {
      const job = await own.settled(own.importFile(file("late-schema.json", enc.encode(doc(300)))).id);
      expect(job.status).toBe("completed");
      const rows = own.store.sqlite.query("SELECT DISTINCT resource_schema_url AS r, scope_schema_url AS s FROM spans").all();
      expect(rows).toEqual([{ r: "https://opentelemetry.io/schemas/1.26.0", s: "https://opentelemetry.io/schemas/1.27.0" }]);
    } finally {
      await own.dispose();
    }
  });

  test("after more spans than are held: stored where known, and the rest reported", async () => {
    const r = await importFresh(file("late-schema-big.json", enc.encode(doc(6000))));
    expect(r.job.status).toBe("completed");
    expect(r.result!.inserted).toBe(6000);
    expect(r.result!.warningSamples.map((w) => w.message)).toContain("schemaUrl comes after more than 5000 spans of its block; the spans before it were stored without it");
  });
});

describe("lines over 1 MiB are read span by span", () => {
  test("a bad span in a long line is reported with the line and its path; a long line cut short is that line's error", async () => {
    const big = JSON.parse(new TextDecoder().decode(sdkJson(sdkSpans(2, 3000)))) as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
    big.resourceSpans[0]!.scopeSpans[0]!.spans[7]!.spanId = "zz";
    const good = JSON.stringify(big);
    expect(good.length).toBeGreaterThan(1024 * 1024);
    const cut = good.slice(0, good.length - 100);
    const short = new TextDecoder().decode(sdkJson(spans.slice(0, 10)));
    const r = await importFresh(file("long-bad.jsonl", enc.encode([short, good, cut, short].join("\n") + "\n")));
    expect(r.job.status).toBe("completed");
    const bad = r.result!.samples.find((s) => s.line === 2)!;
    expect(bad.path).toBe("$.resourceSpans[0].scopeSpans[0].spans[7]");
    expect(bad.message).toContain("spanId");
    const truncated = r.result!.samples.filter((s) => s.line === 3).map((s) => s.message);
    expect(truncated.some((m) => /^invalid JSON: .*ends early/.test(m))).toBe(true);
    expect(r.result!.traces).toBeGreaterThanOrEqual(2);
  });

  test("a syntax error in the middle of a long line: that line's error, the lines after it kept (exact counts); strict stops", async () => {
    const line2 = new TextDecoder().decode(sdkJson(sdkSpans(3, 3000))); // 9,000 spans, 3 traces
    expect(line2.length).toBeGreaterThan(3 * 1024 * 1024);
    // An error about nine tenths in: the spans the document reader let go
    // before it are kept (spans wait for their block's end, up to 5,000), the rest are lost.
    const at = line2.indexOf('"spanId"', Math.floor(line2.length * 0.9));
    const bad = line2.slice(0, at) + "]" + line2.slice(at);
    let before = 0;
    const alone = await otlpJson
      .read((async function* () { yield enc.encode(bad); })(), { span: () => before++, issue: () => {}, signal: new AbortController().signal }, { shape: "json-document", bytes: new Uint8Array(), text: "" })
      .catch((e: Error) => e);
    expect(alone).toBeInstanceOf(Error);
    expect(before).toBeGreaterThanOrEqual(5000);
    const short = new TextDecoder().decode(sdkJson(spans.slice(0, 10)));
    const path = file("long-syntax.jsonl", enc.encode([short, bad, short, line2].join("\n") + "\n"));
    const r = await importFresh(path);
    expect(r.job.status).toBe("completed");
    expect(r.result!.errors).toBe(1);
    // Line 2 (the first decides the format; a broken first line would make the file one broken document).
    expect(r.result!.samples[0]!.line).toBe(2);
    // The position is in the line, as for a short line.
    expect(r.result!.samples[0]!.message).toBe(`invalid JSON: Invalid JSON at line 1, column ${at + 1}: unexpected "]"`);
    expect(r.result!.spans).toBe(10 + before + 10 + 9000);
    // The short lines are the same spans, and line 4 repeats line 2's.
    expect(r.stored).toBe(10 + 9000);
    const strict = await importFresh(path, { strict: true });
    expect(strict.job.status).toBe("failed");
    expect(strict.job.error).toContain("line 2");
    expect(strict.stored).toBe(0);
  });
});
