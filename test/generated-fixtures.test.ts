/**
 * The fixtures generated with the real OpenTelemetry JS SDK
 * (test/fixtures/traces/generated, made by scripts/generate-fixtures.ts), and
 * the long-line files written at test time by writeLongLineFiles: each goes
 * through the real import task (runner, detection, reader, SQLite) and must
 * report exactly the counts that the script computed from the SDK's spans.
 *
 * Also: the committed files are exactly what the script makes (regenerated
 * byte for byte), and their framing is what expected-counts.json says, checked
 * here without the importer.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { GENERATED_DIR, generateFixtures, writeLongLineFiles, type ExpectedFile, type LongLineFile } from "../scripts/otel-fixtures.ts";
import type { ImportResult } from "../src/import/import-task.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { createTestContext } from "./helpers/context.ts";

const EXPECTED: Record<string, ExpectedFile> = JSON.parse(readFileSync(join(GENERATED_DIR, "expected-counts.json"), "utf8"));
const NAMES = Object.keys(EXPECTED);

let longDir: string;
let long: Record<string, LongLineFile> = {};
beforeAll(async () => {
  longDir = mkdtempSync(join(tmpdir(), "traceport-long-lines-"));
  long = await writeLongLineFiles(longDir);
});
afterAll(() => rmSync(longDir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------
// Import through the real task
// ---------------------------------------------------------------------------

async function importAndCheck(path: string, want: ExpectedFile): Promise<void> {
  // A fresh store per file: the files share their spans.
  const own = createTestContext({ workers: 1 });
  try {
    const done = await own.settled(own.importFile(path).id, 90_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");
    const r = done.result as ImportResult & { compression?: string | null };
    expect(r.format).toBe(want.format);
    expect(r.compression).toBe(want.compression);
    expect(r.traces).toBe(want.traces);
    expect(r.spans).toBe(want.spans);
    expect(r.inserted).toBe(want.unique_spans ?? want.spans);
    expect(r.duplicates).toBe(want.spans - (want.unique_spans ?? want.spans));
    expect(r.services).toEqual([...want.services].sort());
    expect(r.errors).toBe(0);
    // The names were chosen to agree with the content: no "the file name suggests ..." warning.
    expect((r.warningSamples ?? []).map((w) => w.message).filter((m) => /file name suggests/i.test(m))).toEqual([]);
    expect(countSpans(own.store, done.id)).toBe(r.inserted);
  } finally {
    await own.dispose();
  }
}

test("the generated fixtures are there", () => {
  expect(NAMES.length).toBeGreaterThanOrEqual(16);
  const onDisk = readdirSync(GENERATED_DIR).filter((f) => f !== "expected-counts.json" && f !== "SOURCES.md");
  expect(onDisk.sort()).toEqual([...NAMES].sort());
});

describe("generated files import with the SDK's counts", () => {
  for (const name of NAMES) {
    const want = EXPECTED[name]!;
    test(`${name} (${want.format}${want.compression ? `, ${want.compression}` : ""})`, () => importAndCheck(join(GENERATED_DIR, name), want), 90_000);
  }
});

describe("long lines (written at test time)", () => {
  for (const name of ["sdk-batch-lines.jsonl", "collector-json-native-long.jsonl.zst", "collector-proto-long.binpb", "sdk-lines-around-1mib.jsonl"]) {
    test(name, async () => {
      const file = long[name];
      expect(file).toBeDefined();
      await importAndCheck(file!.path, file!.expected);
    }, 120_000);
  }
});

// ---------------------------------------------------------------------------
// The committed files are what the script makes
// ---------------------------------------------------------------------------

test("regenerating gives byte-identical files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "traceport-generated-"));
  try {
    await generateFixtures(dir);
    const committed = readdirSync(GENERATED_DIR).sort();
    expect(readdirSync(dir).sort()).toEqual(committed);
    const differing = committed.filter((f) => !readFileSync(join(dir, f)).equals(readFileSync(join(GENERATED_DIR, f))));
    expect(differing).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

// ---------------------------------------------------------------------------
// The framing, checked without the importer
// ---------------------------------------------------------------------------

const ZSTD_MAGIC = 0xfd2fb528;

/** Counts the zstd frames of `bytes` (walks frame headers and block headers; fails on anything else). */
function zstdFrames(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let frames = 0;
  while (at < bytes.length) {
    if (view.getUint32(at, true) !== ZSTD_MAGIC) throw new Error(`no zstd frame at byte ${at}`);
    at += 4;
    const fhd = bytes[at++]!;
    const fcsFlag = fhd >> 6;
    const singleSegment = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const dictIdFlag = fhd & 3;
    if (!singleSegment) at += 1; // window descriptor
    at += [0, 1, 2, 4][dictIdFlag]!;
    at += [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
    for (;;) {
      const header = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
      at += 3;
      const last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      at += type === 1 ? 1 : size; // an RLE block stores one byte
      if (last) break;
    }
    if (checksum) at += 4;
    frames++;
  }
  if (at !== bytes.length) throw new Error("the last zstd frame runs past the end");
  return frames;
}

function unzstd(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(zlib.zstdDecompressSync(bytes));
}

function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === ZSTD_MAGIC;
}

/** The length-prefixed messages of a Collector proto stream. */
function lengthPrefixed(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = view.getUint32(at, false);
    if (at + 4 + n > bytes.length) throw new Error(`message at byte ${at} runs past the end`);
    out.push(bytes.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

/** The length-delimited fields `field` of a protobuf message (skipping the others). */
function protoFields(bytes: Uint8Array, field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const n = varint();
      if (key >>> 3 === field) out.push(bytes.subarray(at, at + n));
      at += n;
    } else throw new Error(`wire type ${wire} in a trace request`);
  }
  if (at !== bytes.length) throw new Error("truncated protobuf message");
  return out;
}

/** ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2) → ScopeSpans.spans(2). */
function protoSpanCount(request: Uint8Array): number {
  return protoFields(request, 1)
    .flatMap((rs) => protoFields(rs, 2))
    .reduce((n, ss) => n + protoFields(ss, 2).length, 0);
}

interface OtlpJsonRequest {
  resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
}

function jsonSpanCount(text: string): number {
  const req = JSON.parse(text) as OtlpJsonRequest;
  return req.resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0);
}

/** What the file holds, read by its documented framing: messages and spans. */
function readFraming(bytes: Uint8Array, want: ExpectedFile): { messages: number; spans: number; lines?: number } {
  let content = bytes;
  if (want.compression === "gzip") content = new Uint8Array(zlib.gunzipSync(bytes));
  if (want.compression === "zstd") content = unzstd(bytes);
  const text = () => new TextDecoder("utf-8", { fatal: true }).decode(content);
  switch (want.format) {
    case "otlp-json":
      return { messages: 1, spans: jsonSpanCount(text()) };
    case "zipkin":
      return { messages: 1, spans: (JSON.parse(text()) as unknown[]).length };
    case "otlp-proto":
      return { messages: 1, spans: protoSpanCount(content) };
    case "otlp-jsonl": {
      const t = text();
      expect(t.endsWith("\n")).toBe(true);
      const lines = t.slice(0, -1).split("\n");
      return { messages: lines.length, lines: lines.length, spans: lines.reduce((n, l) => n + jsonSpanCount(l), 0) };
    }
    case "otlp-proto-stream": {
      const messages = lengthPrefixed(content);
      let spans = 0;
      for (const m of messages) {
        const inner = isZstd(m) ? unzstd(m) : m; // legacy: each message compressed on its own
        if (isZstd(m)) expect(zstdFrames(m)).toBe(1);
        spans += inner[0] === 0x7b ? jsonSpanCount(new TextDecoder().decode(inner)) : protoSpanCount(inner);
      }
      return { messages: messages.length, spans };
    }
  }
}

describe("framing (without the importer)", () => {
  for (const name of NAMES) {
    const want = EXPECTED[name]!;
    test(name, () => {
      const bytes = new Uint8Array(readFileSync(join(GENERATED_DIR, name)));
      expect(bytes.length).toBe(want.bytes);
      const got = readFraming(bytes, want);
      expect(got.spans).toBe(want.spans);
      if (want.messages !== undefined) expect(got.messages).toBe(want.messages);
      if (want.lines !== undefined) expect(got.lines).toBe(want.lines);
      if (want.compression === "zstd") expect(zstdFrames(bytes)).toBe(want.zstd_frames!);
      if (name.includes("legacy")) {
        // Per-message compression: the file is not a zstd file, every message is one.
        expect(isZstd(bytes)).toBe(false);
        expect(lengthPrefixed(bytes).every(isZstd)).toBe(true);
      }
    });
  }

  test("legacy JSON messages carry no newline, compressed or not", () => {
    for (const m of lengthPrefixed(new Uint8Array(readFileSync(join(GENERATED_DIR, "collector-json-zstd-legacy.bin"))))) {
      const inner = unzstd(m);
      expect(inner[0]).toBe(0x7b);
      expect(inner[inner.length - 1]).toBe(0x7d);
    }
  });

  test("native rotated JSON frames alternate: a request, then a lone newline", () => {
    const bytes = new Uint8Array(readFileSync(join(GENERATED_DIR, "collector-json-native-rotated-frames.jsonl.zst")));
    const want = EXPECTED["collector-json-native-rotated-frames.jsonl.zst"]!;
    expect(zstdFrames(bytes)).toBe(2 * want.messages!);
    expect(new TextDecoder().decode(unzstd(bytes))).toBe(readFileSync(join(GENERATED_DIR, "collector-json.jsonl"), "utf8"));
  });

  test("the long-line files are as long as promised", () => {
    expect(long["sdk-batch-lines.jsonl"]!.expected.max_message_bytes!).toBeGreaterThan(1.5e6);
    expect(long["collector-proto-long.binpb"]!.expected.max_message_bytes!).toBeGreaterThan(1024 * 1024);
    const around = readFileSync(long["sdk-lines-around-1mib.jsonl"]!.path, "utf8").slice(0, -1).split("\n").map((l) => Buffer.byteLength(l));
    expect(around.length).toBe(3);
    expect(around[0]!).toBeLessThanOrEqual(1024 * 1024);
    expect(around[1]!).toBeGreaterThan(1024 * 1024);
    expect(around[2]!).toBeGreaterThan(1024 * 1024);
  });
});
