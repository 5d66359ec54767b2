/**
 * Imports one file through the real import task in this process, in a fresh
 * temporary store, and prints one JSON line: the job's result, wall time,
 * throughput and this process's peak RSS (sampled every 100 ms). The memory
 * benchmark runs it as a child process so that each figure is a clean peak.
 *
 *   bun bench/run-import.ts FILE [--format F]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createContext, jobTopic } from "../src/context.ts";
import type { ImportResult } from "../src/import/import-task.ts";
import type { JobEvent } from "../src/jobs/types.ts";
import { silentLogger } from "../src/util/logger.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { format: { type: "string", default: "auto" } } });
const file = resolve(positionals[0] ?? "");
const dataDir = mkdtempSync(join(tmpdir(), "traceport-bench-"));
const ctx = createContext({ dataDir, workers: 1, logger: silentLogger });
let peakSample = 0;
const sampler = setInterval(() => (peakSample = Math.max(peakSample, process.memoryUsage().rss)), 100);
const started = performance.now();
const job = ctx.queue.enqueue({ kind: "import", input: { path: file, name: basename(file), size: Bun.file(file).size, format: values.format! }, options: {} });
const done = await new Promise<JobEvent>((res) => {
  const off = ctx.broker.subscribe(jobTopic(job.id), (e) => {
    if (e.type !== "progress") {
      off();
      res(e);
    }
  });
  ctx.runner.start();
});
const ms = performance.now() - started;
clearInterval(sampler);
const result = done.type === "completed" ? (done.data.result as ImportResult) : null;
const bytes = Bun.file(file).size;
console.log(
  JSON.stringify({
    file: basename(file),
    status: done.type,
    error: done.type === "failed" ? done.data.error : undefined,
    format: result?.format,
    spans: result?.spans,
    traces: result?.traces,
    bytes,
    seconds: Math.round(ms) / 1000,
    spansPerSecond: result ? Math.round(result.spans / (ms / 1000)) : null,
    mbPerSecond: Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10,
    // Sampled every 100 ms. Not getrusage's maxRSS: a child spawned by a
    // process that had grown large reports the parent's high-water mark.
    peakRssMB: Math.round(Math.max(peakSample, process.memoryUsage().rss) / 1024 / 1024),
  }),
);
await ctx.close();
rmSync(dataDir, { recursive: true, force: true });
