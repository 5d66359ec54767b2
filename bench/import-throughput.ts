/**
 * Import throughput against the limits of this machine (issue #6): for each
 * format, a deterministic file of N spans (seed 42) is imported end to end by
 * the real import task, each run in its own process (time, spans/s, MB/s, peak
 * RSS); in the same run, on the same bytes, the limits:
 *   - JSON.parse of the bytes (per line for JSON Lines, the whole document
 *     otherwise; none for the protobuf formats);
 *   - parse + normalise through the real streaming reader, storing nothing;
 *   - the same, also serialising each batch into insert rows: all the work of
 *     the import's reader thread;
 *   - a raw bun:sqlite prepared INSERT of the same rows into the same schema
 *     (every column the import writes), one transaction per 2,000-row batch,
 *     JSON already built.
 * Each format's import is also given as a multiple of JSON Lines' import time
 * (`vsJsonLines`: the same spans, so the same rows).
 * Formats: the four JSON ones and the two protobuf ones (bench/generate.ts
 * encodes the same spans in each).
 * The import overlaps reading (a reader thread) with inserting (the main
 * thread), so its time is about the larger of the two plus what they cost each
 * other on a shared machine; `overlap` = (reader thread's work: parse,
 * normalise and serialise rows + raw insert) / import says
 * how much of the sum the pipeline hides (1 = none, 2 = all).
 *
 *   bun bench/import-throughput.ts [--spans 1000000] [--runs 3] [--formats otlp-jsonl,otlp-json,jaeger,zipkin,otlp-proto,otlp-proto-stream] [--json FILE] [--only reader-rows]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatById } from "../src/formats/registry.ts";
import type { NormalisedSpan } from "../src/formats/types.ts";
import { openInput } from "../src/import/open-input.ts";
import { ImportSink } from "../src/import/import-sink.ts";
import { openStore } from "../src/storage/database.ts";
import { ROW_WIDTH, SPAN_COLUMNS, SpanRowBuilder, type SpanRowValue } from "../src/storage/spans/span-row.ts";
import { generate, type GenFormat } from "./generate.ts";

const { values } = parseArgs({
  options: {
    spans: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    formats: { type: "string", default: "otlp-jsonl,otlp-json,jaeger,zipkin,otlp-proto,otlp-proto-stream" },
    json: { type: "string" },
    only: { type: "string" },
  },
});
const SPANS = Number(values.spans);
const RUNS = Number(values.runs);
const OUT = join(import.meta.dir, "out");
mkdirSync(OUT, { recursive: true });
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const EXT: Record<GenFormat, string> = {
  "otlp-jsonl": "jsonl",
  "otlp-json": "json",
  jaeger: "jaeger.json",
  zipkin: "zipkin.json",
  "otlp-proto": "binpb",
  "otlp-proto-stream": "stream.binpb",
};
const PROTOBUF = new Set<GenFormat>(["otlp-proto", "otlp-proto-stream"]);

async function fileFor(format: GenFormat): Promise<string> {
  const file = join(OUT, `${format}-${SPANS}.${EXT[format]}`);
  if (!existsSync(file)) await generate({ format, out: file, spans: SPANS, seed: 42 });
  return file;
}

function importOnce(file: string): { seconds: number; spans: number; spansPerSecond: number; mbPerSecond: number; peakRssMB: number } {
  const p = Bun.spawnSync([process.execPath, join(import.meta.dir, "run-import.ts"), file], { stdout: "pipe", stderr: "inherit" });
  const r = JSON.parse(p.stdout.toString().trim().split("\n").at(-1)!);
  if (r.status !== "completed") throw new Error(`import failed: ${r.error}`);
  return r;
}

async function jsonParseSeconds(file: string, format: GenFormat): Promise<number | null> {
  if (PROTOBUF.has(format)) return null;
  const text = await Bun.file(file).text();
  const t0 = performance.now();
  if (format === "otlp-jsonl") {
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      if (end > start) JSON.parse(text.slice(start, end));
      start = end + 1;
    }
  } else JSON.parse(text);
  return (performance.now() - t0) / 1000;
}

/** The real reader and normaliser, streaming from disk, with a sink that stores nothing (or keeps the rows). */
async function readerSeconds(file: string, format: GenFormat, opts: { keep?: NormalisedSpan[]; rows?: boolean } = {}): Promise<{ seconds: number; spans: number }> {
  const ac = new AbortController();
  const t0 = performance.now();
  const opened = await openInput(file, ac.signal, () => {});
  // With `rows`, each batch is also serialised into insert rows, as the import's reader thread does.
  const builder = new SpanRowBuilder();
  const sink = new ImportSink(ac.signal, {
    strict: false,
    batchSize: 2000,
    write: (b) => {
      if (opts.keep) opts.keep.push(...b);
      if (opts.rows) builder.build(b);
    },
  });
  await formatById(format)!.read(opened.source, sink, opened.probe);
  sink.flush();
  return { seconds: (performance.now() - t0) / 1000, spans: sink.spanCount };
}

/** A raw prepared INSERT of rows whose JSON is already built (batches of flat rows, as the import's reader thread makes them), into the same schema. */
function rawInsertRowsPerSecond(batches: SpanRowValue[][]): number {
  const dir = mkdtempSync(join(tmpdir(), "traceport-raw-"));
  const store = openStore(dir);
  // Every column the import writes (span-writer.ts), in the same order.
  const columns = [...SPAN_COLUMNS, "job_id"];
  const insert = store.sqlite.prepare(
    `INSERT INTO spans (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT (trace_id, span_id) DO NOTHING`,
  );
  const batch = store.sqlite.transaction((rows: SpanRowValue[]) => {
    for (let i = 0; i < rows.length; i += ROW_WIDTH) {
      insert.run(
        rows[i]!, rows[i + 1]!, rows[i + 2]!, rows[i + 3]!, rows[i + 4]!, rows[i + 5]!, rows[i + 6]!, rows[i + 7]!, rows[i + 8]!,
        rows[i + 9]!, rows[i + 10]!, rows[i + 11]!, rows[i + 12]!, rows[i + 13]!, rows[i + 14]!, rows[i + 15]!, rows[i + 16]!,
        rows[i + 17]!, rows[i + 18]!, rows[i + 19]!, rows[i + 20]!, rows[i + 21]!, "job",
      );
    }
  });
  let n = 0;
  const t0 = performance.now();
  for (const rows of batches) {
    batch(rows);
    n += rows.length / ROW_WIDTH;
  }
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return n / seconds;
}

const results: Record<string, unknown>[] = [];
if (values.only === "reader-rows") {
  // Just the reader thread's whole work (parse, normalise, serialise rows), for each format.
  for (const format of values.formats!.split(",") as GenFormat[]) {
    const file = await fileFor(format);
    const runs = Array.from({ length: RUNS }, () => 0);
    for (let r = 0; r < RUNS; r++) {
      runs[r] = (await readerSeconds(file, format, { rows: true })).seconds;
      Bun.gc(true);
    }
    console.log(JSON.stringify({ format, readerRowsSeconds: Math.round(median(runs) * 10) / 10, runs: runs.map((x) => Math.round(x * 10) / 10) }));
  }
  process.exit(0);
}
for (const format of values.formats!.split(",") as GenFormat[]) {
  const file = await fileFor(format);
  const bytes = Bun.file(file).size;
  const imports = Array.from({ length: RUNS }, () => importOnce(file));
  const parse = [];
  const reader = [];
  const readerRows = [];
  for (let r = 0; r < RUNS; r++) {
    parse.push(await jsonParseSeconds(file, format));
    Bun.gc(true);
    reader.push((await readerSeconds(file, format)).seconds);
    Bun.gc(true);
    readerRows.push((await readerSeconds(file, format, { rows: true })).seconds);
    Bun.gc(true);
  }
  const spans = imports[0]!.spans;
  const e2e = median(imports.map((i) => i.seconds));
  const parsed = parse.filter((p): p is number => p !== null);
  const row: Record<string, unknown> = {
    format,
    spans,
    mb: Math.round(bytes / 1e6),
    importSeconds: e2e,
    importSpansPerSecond: Math.round(spans / e2e),
    importMBPerSecond: Math.round((bytes / 1e6 / e2e) * 10) / 10,
    peakRssMB: median(imports.map((i) => i.peakRssMB)),
    jsonParseSeconds: parsed.length ? Math.round(median(parsed) * 100) / 100 : null,
    jsonParseSpansPerSecond: parsed.length ? Math.round(spans / median(parsed)) : null,
    readerSeconds: Math.round(median(reader) * 100) / 100,
    readerSpansPerSecond: Math.round(spans / median(reader)),
  };
  {
    // The same rows the import inserts, for the raw insert limit.
    const kept: NormalisedSpan[] = [];
    await readerSeconds(file, format, { keep: kept });
    const builder = new SpanRowBuilder();
    const batches: SpanRowValue[][] = [];
    for (let k = 0; k < kept.length; k += 2000) batches.push(builder.build(kept.slice(k, k + 2000)));
    kept.length = 0;
    const raw = median(Array.from({ length: RUNS }, () => rawInsertRowsPerSecond(batches)));
    batches.length = 0;
    Bun.gc(true);
    row.rawInsertRowsPerSecond = Math.round(raw);
    row.rawInsertSeconds = Math.round((spans / raw) * 10) / 10;
    row.importVsRawInsert = Math.round((spans / e2e / raw) * 100) / 100;
  }
  const parseS = parsed.length ? median(parsed) : 0;
  const readerS = median(reader);
  const readerRowsS = median(readerRows);
  const insertS = row.rawInsertSeconds as number;
  row.readerRowsSeconds = Math.round(readerRowsS * 10) / 10;
  row.timeSplit = {
    parse: parsed.length ? Math.round(parseS * 10) / 10 : null,
    // With no JSON.parse figure (protobuf): decoding and normalising together.
    normalise: Math.round((readerS - parseS) * 10) / 10,
    serialise: Math.round((readerRowsS - readerS) * 10) / 10,
    insert: insertS,
    import: e2e,
    overlap: Math.round(((readerRowsS + insertS) / e2e) * 100) / 100,
  };
  results.push(row);
  console.log(JSON.stringify(row));
}

// Each format's import time as a multiple of JSON Lines' (the same spans).
const jsonl = results.find((r) => r.format === "otlp-jsonl");
for (const r of results) {
  if (jsonl) r.vsJsonLines = Math.round(((r.importSeconds as number) / (jsonl.importSeconds as number)) * 100) / 100;
}

console.log("\n| format | spans | MB | import (median of " + RUNS + ") | spans/s | MB/s | × JSON Lines | peak RSS | JSON.parse | parse + normalise | reader thread (+ rows) | raw insert | import / raw insert | overlap |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a printed table of the rows above
for (const r of results as Record<string, any>[]) {
  const parse = r.jsonParseSeconds === null ? "–" : `${r.jsonParseSeconds} s (${r.jsonParseSpansPerSecond.toLocaleString("en")}/s)`;
  console.log(
    `| ${r.format} | ${r.spans.toLocaleString("en")} | ${r.mb} | ${r.importSeconds} s | ${r.importSpansPerSecond.toLocaleString("en")} | ${r.importMBPerSecond} | ${r.vsJsonLines ?? "–"} | ${r.peakRssMB} MB | ${parse} | ${r.readerSeconds} s (${r.readerSpansPerSecond.toLocaleString("en")}/s) | ${r.readerRowsSeconds} s | ${r.rawInsertRowsPerSecond ? r.rawInsertRowsPerSecond.toLocaleString("en") + " rows/s" : "–"} | ${r.importVsRawInsert ?? "–"} | ${r.timeSplit.overlap} |`,
  );
}
for (const r of results) console.log(JSON.stringify({ format: r.format, timeSplit: r.timeSplit, vsJsonLines: r.vsJsonLines }));
if (values.json) await Bun.write(values.json, JSON.stringify(results, null, 2));
