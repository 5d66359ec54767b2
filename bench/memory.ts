/**
 * Memory bound of the importer (issue #3): a 1 GiB OTLP JSON Lines file and a
 * 500 MB single OTLP JSON document must each import with peak RSS under 300 MB.
 * Files are generated once into bench/out/ (seed 42); each import runs in its
 * own process (bench/run-import.ts) and reports that process's peak RSS.
 *
 *   bun bench/memory.ts [--runs 3]
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generate, type GenFormat } from "./generate.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1" } } });
const runs = Number(values.runs);
const out = join(import.meta.dir, "out");
mkdirSync(out, { recursive: true });

const cases: { name: string; format: GenFormat; bytes: number; file: string }[] = [
  { name: "OTLP JSON Lines, 1 GiB", format: "otlp-jsonl", bytes: 1024 ** 3, file: join(out, "otlp-1gib.jsonl") },
  { name: "OTLP JSON document, 500 MB", format: "otlp-json", bytes: 500 * 1000 ** 2, file: join(out, "otlp-500mb.json") },
];

const LIMIT_MB = 300;
let failed = false;
for (const c of cases) {
  if (!existsSync(c.file)) {
    const g = await generate({ format: c.format, out: c.file, bytes: c.bytes, seed: 42 });
    console.error(`generated ${c.file}: ${g.spans} spans, ${g.traces} traces, ${(g.bytes / 1e6).toFixed(0)} MB`);
  }
  for (let i = 0; i < runs; i++) {
    const p = Bun.spawnSync([process.execPath, join(import.meta.dir, "run-import.ts"), c.file], { stderr: "inherit" });
    const r = JSON.parse(p.stdout.toString().trim().split("\n").at(-1)!);
    const ok = r.status === "completed" && r.peakRssMB < LIMIT_MB;
    if (!ok) failed = true;
    console.log(
      `${c.name} (run ${i + 1}): ${r.status}, ${r.spans} spans, ${(r.bytes / 1e6).toFixed(0)} MB in ${r.seconds} s ` +
        `(${r.spansPerSecond} spans/s, ${r.mbPerSecond} MB/s), peak RSS ${r.peakRssMB} MB ${ok ? "<" : ">="} ${LIMIT_MB} MB`,
    );
  }
}
process.exit(failed ? 1 : 0);
