/**
 * What the indexes and trace summaries cost the import (issue #3).
 * Normalises N generated spans once, in memory, then writes them with the
 * real SpanWriter (prepared INSERT, 2,000-row transactions) into fresh stores
 * that differ only in their indexes, and times the summary refresh that makes
 * the trace list cheap to query.
 *
 *   bun bench/index-cost.ts [--spans 200000] [--runs 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { emitOtlpRequest } from "../src/formats/otlp/otlp-request.ts";
import type { NormalisedSpan } from "../src/formats/types.ts";
import { openStore } from "../src/storage/database.ts";
import { SpanWriter } from "../src/storage/spans/span-writer.ts";
import { refreshJobTraces } from "../src/storage/traces/refresh-trace-summaries.ts";
import { generate } from "./generate.ts";

const { values } = parseArgs({ options: { spans: { type: "string", default: "200000" }, runs: { type: "string", default: "3" } } });
const dir = mkdtempSync(join(tmpdir(), "traceport-idx-"));
const file = join(dir, "in.jsonl");
await generate({ format: "otlp-jsonl", out: file, spans: Number(values.spans), seed: 42 });
const spans: NormalisedSpan[] = [];
for (const line of (await Bun.file(file).text()).split("\n")) {
  if (line) emitOtlpRequest(JSON.parse(line), [], {}, { span: (s) => spans.push(s), issue: () => {} });
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function run(variant: string, prepare: (db: import("../src/storage/sqlite/sqlite-connection.ts").SqliteConnection) => void, withRefresh: boolean) {
  const insertRates: number[] = [];
  const refreshMs: number[] = [];
  for (let r = 0; r < Number(values.runs); r++) {
    const d = mkdtempSync(join(dir, "s-"));
    const store = openStore(d);
    prepare(store.sqlite);
    const writer = new SpanWriter(store);
    const t0 = performance.now();
    for (let i = 0; i < spans.length; i += 2000) writer.write(spans.slice(i, i + 2000), "job");
    const t1 = performance.now();
    if (withRefresh) refreshJobTraces(store, "job");
    const t2 = performance.now();
    insertRates.push(spans.length / ((t1 - t0) / 1000));
    refreshMs.push(t2 - t1);
    store.close();
    rmSync(d, { recursive: true, force: true });
  }
  const rate = median(insertRates);
  const refresh = median(refreshMs);
  const total = spans.length / (spans.length / rate + refresh / 1000);
  console.log(`| ${variant} | ${Math.round(rate).toLocaleString("en")} | ${withRefresh ? Math.round(refresh) + " ms" : "–"} | ${Math.round(total).toLocaleString("en")} |`);
  return total;
}

console.log(`${spans.length} spans, ${new Set(spans.map((s) => s.traceId)).size} traces; medians of ${values.runs} runs\n`);
console.log("| schema | insert rows/s | summary refresh | rows/s incl. refresh |");
console.log("|---|---|---|---|");
run("unique (trace_id, span_id) only", (db) => db.exec("DROP INDEX spans_job_id"), false);
run("as shipped: unique + job_id", () => {}, false);
run("as shipped + trace summaries", () => {}, true);
run("(rejected) + index on (service, start_ns) for the filters instead of summaries", (db) => db.exec("CREATE INDEX spans_service_start ON spans (service, start_ns)"), false);
run("(rejected) + index on (name) for the span-name filter", (db) => db.exec("CREATE INDEX spans_name ON spans (name)"), false);
rmSync(dir, { recursive: true, force: true });
