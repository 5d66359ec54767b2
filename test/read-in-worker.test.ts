/**
 * The import's reader thread, through the function the import task uses: rows
 * in file order with progress that never goes backwards, a file that cannot be
 * read fails with its position, a reader that breaks fails without harming the
 * caller, an abort stops it at once while it is held back by a slow inserting
 * side; and the thread itself never runs more than three batches ahead.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readInWorker } from "../src/import/read-in-worker.ts";
import type { FromReader, ToReader } from "../src/import/read-protocol.ts";
import { COL, ROW_WIDTH, type SpanRowValue } from "../src/storage/spans/span-row.ts";
import { TaskError } from "../src/util/errors.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";

const dir = mkdtempSync(join(tmpdir(), "traceport-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = (path: string, format = "auto") => ({ path, name: "file", format, strict: false, batchSize: 2000 });

test("a file's spans arrive as rows, in batches, in file order, with what the reader found", async () => {
  const path = join(dir, "ordered.jsonl");
  await writeOtlpJsonLines(path, { spans: 5000, spansPerTrace: 10 });
  const spanIds: string[] = [];
  const batchSizes: number[] = [];
  const progress: [number, number][] = [];
  const done = await readInWorker({
    request: request(path),
    signal: new AbortController().signal,
    onBatch: (rows: SpanRowValue[]) => {
      expect(rows.length % ROW_WIDTH).toBe(0);
      batchSizes.push(rows.length / ROW_WIDTH);
      for (let i = 0; i < rows.length; i += ROW_WIDTH) spanIds.push(`${rows[i + COL.traceId] as string}/${rows[i + COL.spanId] as string}`);
    },
    onProgress: (bytesDone, spansRead) => progress.push([bytesDone, spansRead]),
  });
  // Progress never goes backwards, in bytes or in spans read.
  for (let i = 1; i < progress.length; i++) {
    expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
    expect(progress[i]![1]).toBeGreaterThanOrEqual(progress[i - 1]![1]);
  }
  expect(progress.length).toBeGreaterThanOrEqual(3);
  expect(batchSizes).toEqual([2000, 2000, 1000]);
  expect(done.format).toBe("otlp-jsonl");
  expect(done.counts).toMatchObject({ spans: 5000, traces: 500, errors: 0 });
  // In file order: the generator numbers traces and their spans as it writes them.
  expect(spanIds).toEqual(spanIds.slice().sort());
  expect(new Set(spanIds).size).toBe(5000);
});

test("a malformed file fails with a TaskError that says where", async () => {
  const err = await readInWorker({
    request: request(fixturePath("otlp/invalid/otlp2parquet-malformed.json")),
    signal: new AbortController().signal,
    onBatch: () => {},
    onProgress: () => {},
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TaskError);
  expect((err as TaskError).details ?? "").toMatch(/Position: .*(line|byte)/);
});

test("a reader that breaks rejects with its error; the calling thread carries on", async () => {
  const err = await readInWorker({
    request: request(join(dir, "no-such-file.jsonl"), "otlp-jsonl"),
    signal: new AbortController().signal,
    onBatch: () => {},
    onProgress: () => {},
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(TaskError);
  expect((err as Error).message).toMatch(/no such file|ENOENT/i);
});

test("an abort stops the reader at once, even while it waits for the inserting side", async () => {
  const path = join(dir, "big.jsonl");
  await writeOtlpJsonLines(path, { spans: 60_000, spansPerTrace: 10 });
  const ac = new AbortController();
  let batches = 0;
  const reading = readInWorker({
    request: request(path),
    signal: ac.signal,
    onBatch: () => {
      batches++;
      // A slow inserting side: the reader fills its three batches ahead and waits.
      Bun.sleepSync(50);
      if (batches === 2) ac.abort(new Error("cancelled by the test"));
    },
    onProgress: () => {},
  });
  await expect(reading).rejects.toThrow("cancelled by the test");
  const seen = batches;
  await Bun.sleep(200);
  expect(batches).toBe(seen);
  expect(batches).toBeLessThan(30);
});

test("the reader thread waits for acks: it is never more than three batches ahead", async () => {
  const path = join(dir, "ahead.jsonl");
  await writeOtlpJsonLines(path, { spans: 40_000, spansPerTrace: 10 });
  // The thread itself, with an inserting side that never acknowledges a batch.
  const worker = new Worker(new URL("../src/import/read-worker.ts", import.meta.url), { type: "module" });
  const types: string[] = [];
  const ready = Promise.withResolvers<void>();
  worker.onmessage = (e: MessageEvent<FromReader>) => {
    types.push(e.data.type);
    if (e.data.type === "ready") ready.resolve();
  };
  // As read-in-worker.ts does: "start" only once the thread says it listens.
  await ready.promise;
  worker.postMessage({ type: "start", ...request(path) } satisfies ToReader);
  try {
    await Bun.sleep(1500);
    // A reader that did not wait would have sent all 20 batches and "done" by now.
    expect(types.filter((t) => t === "batch").length).toBe(3);
    expect(types).not.toContain("done");
    worker.postMessage({ type: "ack" } satisfies ToReader);
    await Bun.sleep(500);
    expect(types.filter((t) => t === "batch").length).toBe(4);
  } finally {
    worker.terminate();
  }
});

test("a file that ends after the first batch still reports every span", async () => {
  const path = join(dir, "tail.jsonl");
  await writeOtlpJsonLines(path, { spans: 2001, spansPerTrace: 1 });
  let spans = 0;
  const done = await readInWorker({ request: request(path), signal: new AbortController().signal, onBatch: (rows) => (spans += rows.length / ROW_WIDTH), onProgress: () => {} });
  expect(spans).toBe(2001);
  expect(done.counts.spans).toBe(2001);
});
