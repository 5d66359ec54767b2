/**
 * SSE fan-out: N streams to traceport's real job stream, to the seed's design
 * (poll the job row every second per connection) and to a raw Bun.serve
 * broadcaster, each in its own server process, with the load client in another.
 * For each: publish→receipt latency of every update at every client (the first,
 * cold update apart), server RSS per connection, server CPU per event per
 * connection, and the idle cost of holding N connections.
 *
 *   bun bench/sse-fanout.ts [--n 1000,10000] [--runs 3] [--updates 20] [--interval 300] [--idle 60] [--designs traceport,seed,raw] [--json FILE]
 *
 * Loopback only; every loop is bounded (updates, runs, timeouts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClientMessage, OrchestratorToClient, OrchestratorToServer, ServerMessage } from "./sse/protocol.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const NS = (args.get("n") ?? "1000,10000").split(",").map(Number);
const RUNS = Number(args.get("runs") ?? 3);
const UPDATES = Number(args.get("updates") ?? 20);
const INTERVAL = Number(args.get("interval") ?? 300);
const IDLE = Number(args.get("idle") ?? 60);
const DESIGNS = (args.get("designs") ?? "traceport,seed,raw").split(",");
const SERVER_SCRIPT: Record<string, string> = { traceport: "sse/traceport-server.ts", seed: "sse/seed-poll-server.ts", raw: "sse/raw-server.ts" };
const TICK = 100; // clock ticks per second on Linux

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK;
}

/** A child process with a typed message queue. */
function spawnChild<In, Out>(cmd: string[], env: Record<string, string> = {}) {
  const inbox: In[] = [];
  let wake: (() => void) | null = null;
  const proc = Bun.spawn(cmd, {
    stdout: "inherit",
    stderr: "inherit",
    env: { ...process.env, ...env },
    ipc(message) {
      inbox.push(message as In);
      wake?.();
    },
  });
  return {
    proc,
    send: (m: Out) => proc.send(m),
    async next<T extends In>(type: string, timeoutMs = 120_000): Promise<T> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const i = inbox.findIndex((m) => (m as { type: string }).type === type);
        if (i >= 0) return inbox.splice(i, 1)[0] as T;
        if (Date.now() > end) throw new Error(`no "${type}" from ${cmd.join(" ")} within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    },
  };
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface DesignResult {
  design: string;
  n: number;
  open: number;
  connectMs: number;
  cold: { p50: number; p99: number; max: number };
  warm: { p50: number; p99: number; max: number };
  missing: number;
  rssPerConnBytes: number;
  cpuPerEventPerConnUs: number;
  idleCpuPct: number;
  idleRssPerConnBytes: number;
}

async function runDesign(design: string, n: number, idleSeconds: number): Promise<DesignResult> {
  const here = import.meta.dir;
  // BENCH_PROFILE=DIR writes a CPU profile of each server process there (markdown, per-function times).
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=${design}-${n}.md`] : [];
  const server = spawnChild<ServerMessage, OrchestratorToServer>([process.execPath, ...profile, join(here, SERVER_SCRIPT[design]!)]);
  const ready = await server.next<Extract<ServerMessage, { type: "ready" }>>("ready");
  await Bun.sleep(500);
  const pid = server.proc.pid;
  const rss0 = rssBytes(pid);
  const client = spawnChild<ClientMessage, OrchestratorToClient>([process.execPath, join(here, "sse/load-client.ts"), `http://127.0.0.1:${ready.port}${ready.path}`, String(n)], {
    BUN_CONFIG_MAX_HTTP_REQUESTS: "65000",
  });
  const connected = await client.next<Extract<ClientMessage, { type: "connected" }>>("connected", 300_000);
  await Bun.sleep(2000);
  const rss1 = rssBytes(pid);

  // Idle: N connections held, nothing published (heartbeats, or the seed's polls).
  const idleCpu0 = cpuSeconds(pid);
  await Bun.sleep(idleSeconds * 1000);
  const idleCpu = cpuSeconds(pid) - idleCpu0;
  const rssIdle = rssBytes(pid);

  // Updates: publish, then wait for every client to have it.
  const cpu0 = cpuSeconds(pid);
  const perUpdate: number[][] = [];
  let missing = 0;
  for (let seq = 1; seq <= UPDATES; seq++) {
    server.send({ type: "publish", seq });
    client.send({ type: "collect", seq, timeoutMs: design === "seed" ? 5000 : 10_000 });
    const got = await client.next<Extract<ClientMessage, { type: "latencies" }>>("latencies", 60_000);
    perUpdate.push(got.ms);
    missing += got.missing;
    await Bun.sleep(INTERVAL);
  }
  const cpuUpdates = cpuSeconds(pid) - cpu0 - (idleSeconds > 0 ? (idleCpu / idleSeconds) * (UPDATES * INTERVAL) / 1000 : 0);
  client.send({ type: "exit" });
  server.send({ type: "exit" });
  await Promise.race([Promise.all([client.proc.exited, server.proc.exited]), Bun.sleep(10_000)]);
  client.proc.kill("SIGKILL");
  server.proc.kill("SIGKILL");

  const cold = [...perUpdate[0]!].sort((a, b) => a - b);
  const warm = perUpdate.slice(1).flat().sort((a, b) => a - b);
  const stat = (xs: number[]) => ({ p50: pct(xs, 50), p99: pct(xs, 99), max: xs.at(-1) ?? NaN });
  return {
    design,
    n,
    open: connected.open,
    connectMs: connected.ms,
    cold: stat(cold),
    warm: stat(warm),
    missing,
    rssPerConnBytes: (rss1 - rss0) / connected.open,
    cpuPerEventPerConnUs: (Math.max(0, cpuUpdates) / (UPDATES * connected.open)) * 1e6,
    idleCpuPct: idleSeconds > 0 ? (idleCpu / idleSeconds) * 100 : NaN,
    idleRssPerConnBytes: (rssIdle - rss0) / connected.open,
  };
}

const results: DesignResult[] = [];
for (const n of NS) {
  for (let run = 1; run <= RUNS; run++) {
    for (const design of DESIGNS) {
      const r = await runDesign(design, n, IDLE);
      results.push(r);
      console.log(
        `n=${n} run=${run} ${design.padEnd(9)} open=${r.open} p50=${r.warm.p50.toFixed(1)}ms p99=${r.warm.p99.toFixed(1)}ms max=${r.warm.max.toFixed(1)}ms ` +
          `cold p99=${r.cold.p99.toFixed(1)}ms missing=${r.missing} rss/conn=${(r.rssPerConnBytes / 1024).toFixed(2)}KB ` +
          `cpu/event/conn=${r.cpuPerEventPerConnUs.toFixed(2)}µs idle=${r.idleCpuPct.toFixed(2)}% idle rss/conn=${(r.idleRssPerConnBytes / 1024).toFixed(2)}KB`,
      );
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log("\nmedians of the runs:");
for (const n of NS) {
  const of = (d: string) => results.filter((r) => r.n === n && r.design === d);
  for (const d of DESIGNS) {
    const rs = of(d);
    console.log(
      `n=${n} ${d.padEnd(9)} p50=${median(rs.map((r) => r.warm.p50)).toFixed(1)} p99=${median(rs.map((r) => r.warm.p99)).toFixed(1)} max=${median(rs.map((r) => r.warm.max)).toFixed(1)} ` +
        `cold p50=${median(rs.map((r) => r.cold.p50)).toFixed(1)} cold p99=${median(rs.map((r) => r.cold.p99)).toFixed(1)} ms; rss/conn=${(median(rs.map((r) => r.rssPerConnBytes)) / 1024).toFixed(2)} KB; ` +
        `cpu/event/conn=${median(rs.map((r) => r.cpuPerEventPerConnUs)).toFixed(2)} µs; idle cpu=${median(rs.map((r) => r.idleCpuPct)).toFixed(2)}%`,
    );
  }
  const t = of("traceport");
  for (const other of DESIGNS.filter((d) => d !== "traceport")) {
    const o = of(other);
    if (!t.length || !o.length) continue;
    console.log(`n=${n} traceport/${other}: p50 ${(median(t.map((r) => r.warm.p50)) / median(o.map((r) => r.warm.p50))).toFixed(2)}×, p99 ${(median(t.map((r) => r.warm.p99)) / median(o.map((r) => r.warm.p99))).toFixed(2)}×, cpu/event/conn ${(median(t.map((r) => r.cpuPerEventPerConnUs)) / median(o.map((r) => r.cpuPerEventPerConnUs))).toFixed(2)}×, idle cpu ${(median(t.map((r) => r.idleCpuPct)) / median(o.map((r) => r.idleCpuPct))).toFixed(2)}×`);
  }
}
if (args.get("json")) await Bun.write(args.get("json")!, JSON.stringify(results, null, 2));
