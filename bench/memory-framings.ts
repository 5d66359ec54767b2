/**
 * Memory bound for the framings of issue #11: a 1 GiB OTLP JSON Lines file
 * whose lines are 8 MiB each (batching exporters and the Collector write
 * lines of megabytes), and a 1 GiB length-prefixed protobuf stream (the
 * Collector's `format: proto`), must each import with peak RSS under 300 MB.
 * Both are made from bench/generate.ts's spans (seed 42): the long lines by
 * merging consecutive requests, the stream by encoding each request as
 * protobuf (bench/otlp-proto-writer.ts) with a 4-byte big-endian length.
 * Each import runs in its own process (bench/run-import.ts).
 *
 *   bun bench/memory-framings.ts [--runs 1] [--gib 1]
 */
import { createReadStream, existsSync, mkdirSync, openSync, writeSync, closeSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { generate } from "./generate.ts";
import { encodeOtlpRequest, lengthPrefix } from "./otlp-proto-writer.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1" }, gib: { type: "string", default: "1" } } });
const runs = Number(values.runs);
const target = Number(values.gib) * 1024 ** 3;
const out = join(import.meta.dir, "out");
mkdirSync(out, { recursive: true });
const LINE_BYTES = 8 * 1024 * 1024;
const LIMIT_MB = 300;

/** Reads generate.ts's JSON Lines (one request per trace) and calls `each` with every request until it says stop. */
async function eachRequest(source: string, each: (req: { resourceSpans: unknown[] }, line: string) => boolean): Promise<void> {
  const rl = createInterface({ input: createReadStream(source), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    if (!each(JSON.parse(line), line)) break;
  }
  rl.close();
}

const source = join(out, "framings-source-seed42.jsonl");
const longLines = join(out, `otlp-${values.gib}gib-8mib-lines.jsonl`);
const protoStream = join(out, `otlp-${values.gib}gib-length-prefixed.binpb`);

if (!existsSync(longLines) || !existsSync(protoStream)) {
  // Protobuf is about 2.3x smaller than this JSON: generate enough for both.
  if (!existsSync(source)) {
    const g = await generate({ format: "otlp-jsonl", out: source, bytes: Math.ceil(target * 2.6), seed: 42 });
    console.error(`generated ${source}: ${g.spans} spans, ${(g.bytes / 1e6).toFixed(0)} MB`);
  }
  if (!existsSync(longLines)) {
    const fd = openSync(longLines, "w");
    let written = 0;
    let batch: unknown[] = [];
    let batchBytes = 0;
    const flush = () => {
      const text = JSON.stringify({ resourceSpans: batch }) + "\n";
      writeSync(fd, text);
      written += Buffer.byteLength(text);
      batch = [];
      batchBytes = 0;
    };
    await eachRequest(source, (req, line) => {
      batch.push(...req.resourceSpans);
      batchBytes += line.length;
      if (batchBytes >= LINE_BYTES) flush();
      return written < target;
    });
    if (batch.length) flush();
    closeSync(fd);
    console.error(`wrote ${longLines}: ${(written / 1e6).toFixed(0)} MB in lines of ~8 MiB`);
  }
  if (!existsSync(protoStream)) {
    const fd = openSync(protoStream, "w");
    let written = 0;
    await eachRequest(source, (req) => {
      const bytes = encodeOtlpRequest(req);
      writeSync(fd, lengthPrefix(bytes.length));
      writeSync(fd, bytes);
      written += 4 + bytes.length;
      return written < target;
    });
    closeSync(fd);
    console.error(`wrote ${protoStream}: ${(written / 1e6).toFixed(0)} MB of length-prefixed protobuf`);
  }
  rmSync(source, { force: true });
}

let failed = false;
for (const [name, file] of [
  [`OTLP JSON Lines, ${values.gib} GiB, 8 MiB lines`, longLines],
  [`OTLP length-prefixed protobuf, ${values.gib} GiB`, protoStream],
] as const) {
  for (let i = 0; i < runs; i++) {
    const p = Bun.spawnSync([process.execPath, join(import.meta.dir, "run-import.ts"), file], { stderr: "inherit" });
    const r = JSON.parse(p.stdout.toString().trim().split("\n").at(-1)!);
    const ok = r.status === "completed" && r.peakRssMB < LIMIT_MB;
    if (!ok) failed = true;
    console.log(
      `${name} (run ${i + 1}): ${r.status}, ${r.spans} spans, ${(r.bytes / 1e6).toFixed(0)} MB in ${r.seconds} s ` +
        `(${r.spansPerSecond} spans/s, ${r.mbPerSecond} MB/s), peak RSS ${r.peakRssMB} MB ${ok ? "<" : ">="} ${LIMIT_MB} MB`,
    );
  }
}
process.exit(failed ? 1 : 0);
