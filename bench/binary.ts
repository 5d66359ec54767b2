/**
 * The single binary: file size, cold start to the first 200 response (median
 * of 10, each from an empty directory, so the store is created and migrated
 * every time), and RSS at idle.
 *
 *   bun bench/binary.ts [--binary dist/traceport] [--runs 10]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { binary: { type: "string", default: "dist/traceport" }, runs: { type: "string", default: "10" } } });
const binary = resolve(values.binary!);
const runs = Number(values.runs);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

const starts: number[] = [];
const idle: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), "traceport-cold-"));
  const port = 18700 + i;
  const t0 = performance.now();
  const proc = Bun.spawn([binary, "--port", String(port)], { cwd: dir, env: { PATH: "/usr/bin:/bin", HOME: dir }, stdout: "ignore", stderr: "ignore" });
  for (let tries = 0; ; tries++) {
    if (tries > 5000) throw new Error("the binary did not answer");
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await Bun.sleep(1);
  }
  starts.push(performance.now() - t0);
  if (i < 3) {
    await Bun.sleep(5000);
    idle.push(rssMB(proc.pid));
  }
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    binary,
    sizeBytes: statSync(binary).size,
    sizeMiB: Math.round((statSync(binary).size / 1024 ** 2) * 10) / 10,
    coldStartMs: starts.map((s) => Math.round(s)),
    coldStartMedianMs: Math.round(median(starts)),
    idleRssMB: idle.map((x) => Math.round(x * 10) / 10),
    idleRssMedianMB: Math.round(median(idle) * 10) / 10,
  }),
);
