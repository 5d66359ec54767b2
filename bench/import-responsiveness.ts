/**
 * Does the server stay responsive while it imports? Starts traceport (from
 * source, or a binary) in an empty data directory, uploads a generated OTLP
 * JSON Lines file of N spans (seed 42), and while the import runs:
 *   - requests /healthz every 100 ms and times each answer;
 *   - follows the job's SSE stream and times the gaps between progress events
 *     (the server throttles them to one per 100 ms).
 * Prints the import time and both distributions. Loopback only; bounded by the
 * import (at most --timeout seconds).
 *
 *   bun bench/import-responsiveness.ts [--spans 200000] [--server "bun src/main.ts" | --binary dist/traceport] [--timeout 300]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createParser } from "eventsource-parser";
import { generate } from "./generate.ts";

const { values } = parseArgs({
  options: {
    spans: { type: "string", default: "200000" },
    binary: { type: "string" },
    server: { type: "string" },
    timeout: { type: "string", default: "300" },
  },
});
const SPANS = Number(values.spans);
const OUT = join(import.meta.dir, "out");
mkdirSync(OUT, { recursive: true });
const file = join(OUT, `otlp-jsonl-${SPANS}.jsonl`);
if (!existsSync(file)) await generate({ format: "otlp-jsonl", out: file, spans: SPANS, seed: 42 });

const command = values.binary ? [resolve(values.binary)] : values.server ? values.server.split(" ") : [process.execPath, join(import.meta.dir, "..", "src", "main.ts")];
const dir = mkdtempSync(join(tmpdir(), "traceport-resp-"));
const port = 18790;
const base = `http://127.0.0.1:${port}`;
const proc = Bun.spawn([...command, "--port", String(port), "--workers", "1", "--data-dir", dir], { stdout: "ignore", stderr: "ignore" });
const deadline = performance.now() + Number(values.timeout) * 1000;

try {
  for (let tries = 0; ; tries++) {
    if (tries > 500) throw new Error("the server did not start");
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await Bun.sleep(20);
  }
  const t0 = performance.now();
  const res = await fetch(`${base}/api/imports`, { method: "POST", body: Bun.file(file), headers: { "content-type": "application/x-ndjson" } });
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };

  // The job's stream: gaps between progress events.
  const gaps: number[] = [];
  let last = 0;
  let ended = false;
  const stream = (async () => {
    const r = await fetch(`${base}/api/jobs/${id}/stream`);
    const parser = createParser({
      onEvent(e) {
        const now = performance.now();
        if (e.event === "progress") {
          if (last) gaps.push(now - last);
          last = now;
        } else ended = true;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of r.body!) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (ended || performance.now() > deadline) break;
    }
  })();

  // /healthz every 100 ms while the import runs.
  const health: number[] = [];
  while (!ended && performance.now() < deadline) {
    const h0 = performance.now();
    await fetch(`${base}/healthz`);
    health.push(performance.now() - h0);
    await Bun.sleep(100);
  }
  await stream;
  const importSeconds = (performance.now() - t0) / 1000;
  const pct = (xs: number[], p: number) => {
    const s = xs.slice().sort((a, b) => a - b);
    return Math.round(s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]! * 10) / 10;
  };
  console.log(
    JSON.stringify({
      spans: SPANS,
      importSeconds: Math.round(importSeconds * 10) / 10,
      healthz: { n: health.length, p50: pct(health, 50), p90: pct(health, 90), p99: pct(health, 99), max: pct(health, 100) },
      progressGap: { n: gaps.length, p50: pct(gaps, 50), p90: pct(gaps, 90), p99: pct(gaps, 99), max: pct(gaps, 100) },
    }),
  );
} finally {
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(dir, { recursive: true, force: true });
}
