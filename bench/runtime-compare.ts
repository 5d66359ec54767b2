/**
 * Bun and Deno side by side (issue #12): the real server, each in its own
 * process started as a user would start it, driven over HTTP only.
 *
 *   bun bench/runtime-compare.ts [--file bench/out/otlp-jsonl-1000000.jsonl] [--spans N]
 *     [--streams 1000] [--events 100] [--sse-file FILE] [--before DIR]
 *     [--runtimes bun,deno[,bun-node-sqlite]] [--skip import|sse] [--timeout 900] [--json FILE]
 *
 * Servers: `bun` (this tree under Bun), `deno` (this tree under Deno, with the
 * repo's deno.json), optionally `bun-node-sqlite` (this tree under Bun on
 * node:sqlite, TRACEPORT_SQLITE=node: the SQLite driver Deno uses, without
 * changing the engine), and with --before DIR `bun-before` (that checkout under Bun).
 * Each measurement starts a fresh server (fresh --data-dir in a temporary
 * directory, --port 0, --workers 1) and stops it afterwards.
 *
 * a. Import: POST the file as a raw body (streamed from disk), poll the job
 *    every 200 ms until it ends; the job's time from its startedAt to its
 *    finishedAt (and result.durationMs), spans/s, the upload separately, the
 *    server's peak RSS (VmHWM) and its CPU time (user/sys, per thread) from /proc.
 *    The per-thread split tells the main thread (HTTP, inserts) from the reader
 *    thread (reading and parsing the file).
 * b. SSE fan-out: with --max-sse 100000, upload --sse-file (default: --file)
 *    and, while it imports, open --streams streams to the job's stream from a
 *    separate client process (bench/sse/spread-client.ts); over the next
 *    --events progress events, the spread of each event's arrivals (first
 *    stream to each other stream) and the server's RSS per connection. The
 *    server is stopped before the import ends. An import's own RSS moves while
 *    the streams open, so the same number of streams is also opened to
 *    GET /jobs/events on an idle server: the RSS per connection without that noise.
 *
 * Loopback only; every wait is bounded (--timeout per import).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generate } from "./generate.ts";
import type { SpreadClientCommand, SpreadClientMessage } from "./sse/spread-client.ts";

const REPO = resolve(import.meta.dir, "..");
const { values } = parseArgs({
  options: {
    file: { type: "string", default: join(REPO, "bench", "out", "otlp-jsonl-1000000.jsonl") },
    spans: { type: "string" },
    "sse-file": { type: "string" },
    streams: { type: "string", default: "1000" },
    events: { type: "string", default: "100" },
    before: { type: "string" },
    runtimes: { type: "string", default: "bun,deno" },
    skip: { type: "string", default: "" },
    timeout: { type: "string", default: "900" },
    json: { type: "string" },
    "skip-warmup": { type: "boolean", default: false },
  },
});
const FILE = resolve(values.file!);
const SSE_FILE = resolve(values["sse-file"] ?? FILE);
const STREAMS = Number(values.streams);
const EVENTS = Number(values.events);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const SKIP = new Set(values.skip!.split(",").filter(Boolean));
if (!Number.isInteger(STREAMS) || STREAMS < 1 || STREAMS > 50_000) throw new Error("--streams: 1..50000");
if (!Number.isInteger(EVENTS) || EVENTS < 2 || EVENTS > 10_000) throw new Error("--events: 2..10000");
if (!existsSync(FILE)) throw new Error(`${FILE} does not exist: make it with bun bench/generate.ts --format otlp-jsonl --spans N --seed 42 --out FILE`);

const TICK = 100; // clock ticks per second on Linux
const MB = 1024 * 1024;
const NODE_BIN = join(REPO, "node_modules", ".bin");
const DENO = join(NODE_BIN, "deno");

// ---------------------------------------------------------------- servers

interface Kind {
  name: string;
  /** The checkout whose src/main.ts runs. */
  dir: string;
  argv(args: string[]): string[];
  env: Record<string, string>;
}

const denoDir = join(tmpdir(), "traceport-bench-deno-dir");
mkdirSync(denoDir, { recursive: true });
const KINDS: Kind[] = [];
for (const r of values.runtimes!.split(",").filter(Boolean)) {
  if (r === "bun") KINDS.push({ name: "bun", dir: REPO, argv: (a) => [process.execPath, join(REPO, "src", "main.ts"), "serve", ...a], env: {} });
  // This tree under Bun on node:sqlite, Deno's SQLite driver: JSC and Bun.serve with the other driver, to tell the driver's share apart.
  else if (r === "bun-node-sqlite") KINDS.push({ name: "bun-node-sqlite", dir: REPO, argv: (a) => [process.execPath, join(REPO, "src", "main.ts"), "serve", ...a], env: { TRACEPORT_SQLITE: "node" } });
  else if (r === "deno") {
    if (!existsSync(DENO)) throw new Error(`no deno at ${DENO}: run npm install`);
    KINDS.push({
      name: "deno",
      dir: REPO,
      argv: (a) => [DENO, "run", "--allow-all", "--config", join(REPO, "deno.json"), join(REPO, "src", "main.ts"), "serve", ...a],
      env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" },
    });
  } else throw new Error(`--runtimes: bun, deno or bun-node-sqlite, not ${r}`);
}
if (values.before) {
  const dir = resolve(values.before);
  if (!existsSync(join(dir, "src", "main.ts"))) throw new Error(`--before ${dir}: no src/main.ts there`);
  KINDS.push({ name: "bun-before", dir, argv: (a) => [process.execPath, join(dir, "src", "main.ts"), "serve", ...a], env: {} });
}

interface Server {
  kind: string;
  proc: ReturnType<typeof Bun.spawn>;
  pid: number;
  base: string;
  dataDir: string;
  log(): string;
  stop(): Promise<void>;
}

async function startServer(kind: Kind, args: string[]): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `traceport-rc-${kind.name}-`));
  const dataDir = join(dir, "data");
  const env = { PATH: `${NODE_BIN}:/usr/bin:/bin`, HOME: dir, ...kind.env };
  const argv = kind.argv(["--port", "0", "--data-dir", dataDir, ...args]);
  const proc = Bun.spawn(argv, { cwd: dir, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let text = "";
  const drain = async (s: ReadableStream<Uint8Array>) => {
    const d = new TextDecoder();
    // Read to the end, always, so the pipe never fills and blocks the server.
    for await (const c of s) text = (text + d.decode(c, { stream: true })).slice(-200_000);
  };
  void drain(proc.stdout as ReadableStream<Uint8Array>).catch(() => {});
  void drain(proc.stderr as ReadableStream<Uint8Array>).catch(() => {});
  const listening = /listening.*?url[=":]+\s*"?(http:\/\/[^\s"]+)/;
  const end = performance.now() + 90_000;
  for (;;) {
    const m = listening.exec(text);
    if (m) {
      const base = m[1]!.replace(/\/$/, "");
      const stop = async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
        const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(12_000).then(() => false)]);
        if (!done) {
          proc.kill("SIGKILL");
          await proc.exited;
        }
        rmSync(dir, { recursive: true, force: true });
      };
      return { kind: kind.name, proc, pid: proc.pid, base, dataDir, log: () => text, stop };
    }
    if (proc.exitCode !== null || performance.now() > end) {
      proc.kill("SIGKILL");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${kind.name} did not start.\ncommand: ${argv.join(" ")}\nlog:\n${text}`);
    }
    await Bun.sleep(20);
  }
}

// ---------------------------------------------------------------- /proc

function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}
/** utime and stime (seconds) from a /proc stat line. */
function statTimes(line: string): { comm: string; user: number; sys: number } {
  const close = line.lastIndexOf(")");
  const comm = line.slice(line.indexOf("(") + 1, close);
  const f = line.slice(close + 2).split(" ");
  return { comm, user: Number(f[11]) / TICK, sys: Number(f[12]) / TICK };
}
function processCpu(pid: number): { user: number; sys: number } {
  const { user, sys } = statTimes(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return { user, sys };
}
type Threads = Map<number, { comm: string; cpu: number }>;
/** CPU seconds per thread; merged into `into`, so threads that have exited keep their last reading. */
function threadCpu(pid: number, into: Threads = new Map()): Threads {
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return into;
  }
  for (const t of tids) {
    try {
      const s = statTimes(readFileSync(`/proc/${pid}/task/${t}/stat`, "utf8"));
      into.set(Number(t), { comm: s.comm, cpu: s.user + s.sys });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return into;
}

// ---------------------------------------------------------------- HTTP

interface JobView {
  id: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  details: string | null;
  result: { spans?: number; inserted?: number; durationMs?: number; format?: string } | null;
  state: { bytesDone?: number; spans?: number } | null;
}

async function upload(server: Server, file: string): Promise<{ id: string; seconds: number }> {
  const t0 = performance.now();
  // Bun.file as the body streams the file from disk; it is never read into memory here.
  const res = await fetch(`${server.base}/api/imports?name=x.jsonl`, { method: "POST", body: Bun.file(file), headers: { "content-type": "application/octet-stream" } });
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 202) throw new Error(`upload to ${server.kind}: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return { id, seconds };
}

async function getJob(server: Server, id: string): Promise<JobView> {
  const res = await fetch(`${server.base}/api/jobs/${id}`);
  if (!res.ok) throw new Error(`GET job from ${server.kind}: ${res.status}`);
  return (await res.json()) as JobView;
}

async function buildInfo(server: Server): Promise<string> {
  try {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    return /^traceport_build_info\{([^}]*)\}/m.exec(text)?.[1] ?? "(no build_info)";
  } catch {
    return "(no /metrics)";
  }
}

// ---------------------------------------------------------------- helpers

/** Spans in a JSON file bench/generate.ts wrote: occurrences of `"spanId":` (it writes no links), counted while streaming. Reading it also warms the page cache for the uploads. */
async function countSpans(file: string): Promise<number> {
  const needle = Buffer.from('"spanId":');
  let count = 0;
  let tail = Buffer.alloc(0);
  for await (const chunk of Bun.file(file).stream()) {
    const buf = tail.length ? Buffer.concat([tail, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + needle.length)) count++;
    tail = Buffer.from(buf.subarray(Math.max(0, buf.length - (needle.length - 1))));
  }
  return count;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

function log(msg: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

// ---------------------------------------------------------------- a. import

export interface ImportResult {
  kind: string;
  build: string;
  ok: boolean;
  status: string;
  error: string | null;
  spans: number | null;
  inserted: number | null;
  expectedSpans: number;
  uploadSeconds: number;
  uploadMBps: number;
  /** finishedAt − startedAt of the job (ms resolution). */
  jobSeconds: number;
  /** The import task's own result.durationMs. */
  durationMs: number | null;
  spansPerSecond: number;
  peakRssBytes: number;
  /** Server CPU from the upload's 202 to the poll that saw the job end. */
  cpu: { user: number; sys: number; utilisation: number };
  /** The same window per thread: the main thread, the busiest other one (the reader thread), everything else. */
  threads: { main: number; busiest: { comm: string; cpu: number }; rest: number; count: number };
  uploadCpu: { user: number; sys: number };
}

async function measureImport(kind: Kind, file: string, expected: number): Promise<ImportResult> {
  const server = await startServer(kind, ["--workers", "1"]);
  try {
    const build = await buildInfo(server);
    const cpuStart = processCpu(server.pid);
    const { id, seconds: uploadSeconds } = await upload(server, file);
    const cpu0 = processCpu(server.pid);
    const threads0 = threadCpu(server.pid);
    const threads: Threads = new Map();
    const deadline = performance.now() + TIMEOUT_MS;
    let job: JobView;
    for (;;) {
      threadCpu(server.pid, threads);
      job = await getJob(server, id);
      if (["completed", "failed", "cancelled"].includes(job.status)) break;
      if (performance.now() > deadline) throw new Error(`${kind.name}: the import did not end within ${TIMEOUT_MS / 1000} s (status ${job.status})`);
      await Bun.sleep(200);
    }
    const cpu1 = processCpu(server.pid);
    threadCpu(server.pid, threads);
    const peakRssBytes = procStatus(server.pid, "VmHWM");
    const wall = job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : NaN;
    const per = [...threads].map(([tid, t]) => ({ tid, comm: t.comm, cpu: t.cpu - (threads0.get(tid)?.cpu ?? 0) }));
    const main = per.find((t) => t.tid === server.pid)?.cpu ?? 0;
    const others = per.filter((t) => t.tid !== server.pid).sort((a, b) => b.cpu - a.cpu);
    const busiest = others[0] ?? { comm: "-", cpu: 0 };
    const total = cpu1.user - cpu0.user + (cpu1.sys - cpu0.sys);
    const spans = job.result?.spans ?? null;
    const size = statSync(file).size;
    return {
      kind: kind.name,
      build,
      ok: job.status === "completed" && spans === expected,
      status: job.status,
      error: job.error ? `${job.error} ${job.details ?? ""}`.trim() : null,
      spans,
      inserted: job.result?.inserted ?? null,
      expectedSpans: expected,
      uploadSeconds,
      uploadMBps: size / MB / uploadSeconds,
      jobSeconds: wall,
      durationMs: job.result?.durationMs ?? null,
      spansPerSecond: (spans ?? 0) / wall,
      peakRssBytes,
      cpu: { user: cpu1.user - cpu0.user, sys: cpu1.sys - cpu0.sys, utilisation: total / wall },
      threads: { main, busiest: { comm: busiest.comm, cpu: busiest.cpu }, rest: Math.max(0, total - main - busiest.cpu), count: per.length },
      uploadCpu: { user: cpu0.user - cpuStart.user, sys: cpu0.sys - cpuStart.sys },
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- b. SSE fan-out

export interface SseResult {
  kind: string;
  streams: number;
  open: number;
  failed: number;
  connectMs: number;
  events: number;
  missing: number;
  closed: number;
  spread: { p50: number; p90: number; p99: number; max: number; n: number };
  perEventMax: { p50: number; p99: number; max: number };
  gap: { p50: number; p99: number; max: number };
  rssBeforeBytes: number;
  rssOpenBytes: number;
  /** (RSS with the streams open − RSS before) / open. */
  rssPerConnBytes: number;
  /** The same, less the import's own RSS drift over the same time (measured in the 3 s before the streams opened). */
  rssPerConnDriftCorrectedBytes: number;
  driftBytesPerSecond: number;
  /** Server CPU per second while the events were collected (the import's work plus the fan-out). */
  cpuPerSecond: number;
  errors: string[];
  /** The same number of streams to GET /jobs/events on an idle server (no import). */
  idle?: { open: number; failed: number; rssBeforeBytes: number; rssOpenBytes: number; rssPerConnBytes: number };
}

function spawnClient(url: string, n: number) {
  const inbox: SpreadClientMessage[] = [];
  let wake: (() => void) | null = null;
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "sse", "spread-client.ts"), url, String(n)], {
    stdout: "inherit",
    stderr: "inherit",
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "65000" },
    ipc(message) {
      inbox.push(message as SpreadClientMessage);
      wake?.();
    },
  });
  return {
    proc,
    send: (m: SpreadClientCommand) => proc.send(m),
    async next<T extends SpreadClientMessage["type"]>(type: T, timeoutMs: number): Promise<Extract<SpreadClientMessage, { type: T }>> {
      const end = performance.now() + timeoutMs;
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) return inbox.splice(i, 1)[0] as Extract<SpreadClientMessage, { type: T }>;
        if (proc.exitCode !== null) throw new Error(`the SSE client exited (${proc.exitCode}) before "${type}"`);
        if (performance.now() > end) throw new Error(`no "${type}" from the SSE client within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    },
  };
}

async function measureSse(kind: Kind, file: string): Promise<SseResult> {
  const server = await startServer(kind, ["--workers", "1", "--max-sse", "100000"]);
  let client: ReturnType<typeof spawnClient> | null = null;
  // RSS every 100 ms for the whole phase.
  const samples: { t: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    try {
      samples.push({ t: performance.now(), rss: procStatus(server.pid, "VmRSS") });
    } catch {
      // the server is gone; the phase fails below
    }
  }, 100);
  const window = (from: number, to: number) => median(samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.rss));
  try {
    const { id } = await upload(server, file);
    // Wait until the import is under way, then 4 s more: the RSS before, and its drift without streams.
    const deadline = performance.now() + 60_000;
    for (;;) {
      const job = await getJob(server, id);
      if (job.status === "running" && (job.state?.bytesDone ?? 0) > 0) break;
      if (job.status !== "queued" && job.status !== "running") throw new Error(`${kind.name}: the job ended (${job.status}) before the streams opened: use a larger --sse-file`);
      if (performance.now() > deadline) throw new Error(`${kind.name}: the job did not start within 60 s`);
      await Bun.sleep(100);
    }
    await Bun.sleep(4000);
    const t0 = performance.now();
    const rssEarly = window(t0 - 4000, t0 - 3000);
    const rssBefore = window(t0 - 1000, t0);
    const drift = (rssBefore - rssEarly) / 3;
    client = spawnClient(`${server.base}/api/jobs/${id}/stream`, STREAMS);
    const connected = await client.next("connected", 120_000);
    if (connected.open === 0) throw new Error(`${kind.name}: no stream opened: ${connected.errors.join("; ")}`);
    await Bun.sleep(2000);
    const t1 = performance.now();
    const rssOpen = window(t1 - 1000, t1);
    const seconds = (t1 - 500 - (t0 - 500)) / 1000;
    const cpu0 = processCpu(server.pid);
    const c0 = performance.now();
    client.send({ type: "collect", events: EVENTS, timeoutMs: EVENTS * 300 + 10_000 });
    const got = await client.next("spread", EVENTS * 300 + 30_000);
    const cpu1 = processCpu(server.pid);
    const cpuPerSecond = (cpu1.user - cpu0.user + cpu1.sys - cpu0.sys) / ((performance.now() - c0) / 1000);
    const job = await getJob(server, id);
    if (job.status !== "running") log(`${kind.name}: note: the job was ${job.status} when collecting ended (events: ${got.events} of ${EVENTS})`);
    return {
      kind: kind.name,
      streams: STREAMS,
      open: connected.open,
      failed: connected.failed,
      connectMs: connected.ms,
      events: got.events,
      missing: got.missing,
      closed: got.closed,
      spread: got.spread,
      perEventMax: got.perEventMax,
      gap: got.gap,
      rssBeforeBytes: rssBefore,
      rssOpenBytes: rssOpen,
      rssPerConnBytes: (rssOpen - rssBefore) / connected.open,
      rssPerConnDriftCorrectedBytes: (rssOpen - rssBefore - drift * seconds) / connected.open,
      driftBytesPerSecond: drift,
      cpuPerSecond,
      errors: connected.errors,
    };
  } finally {
    clearInterval(sampler);
    if (client) {
      client.send({ type: "exit" });
      await Promise.race([client.proc.exited, Bun.sleep(5000)]);
      client.proc.kill("SIGKILL");
    }
    await server.stop();
  }
}

/**
 * The cost of open streams without an import's memory moving underneath:
 * an idle server, N streams to GET /jobs/events (the jobs page's stream, which
 * stays open without any job; the same SSE connection and hub as a job stream).
 */
async function measureIdleStreams(kind: Kind): Promise<{ open: number; failed: number; rssBeforeBytes: number; rssOpenBytes: number; rssPerConnBytes: number }> {
  const server = await startServer(kind, ["--workers", "1", "--max-sse", "100000"]);
  let client: ReturnType<typeof spawnClient> | null = null;
  const samples: { t: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    try {
      samples.push({ t: performance.now(), rss: procStatus(server.pid, "VmRSS") });
    } catch {
      // the server is gone
    }
  }, 100);
  const window = (from: number, to: number) => median(samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.rss));
  try {
    // One request first, so the routes and the HTTP path are warm.
    await (await fetch(`${server.base}/healthz`)).text();
    await Bun.sleep(2000);
    const t0 = performance.now();
    const before = window(t0 - 1000, t0);
    client = spawnClient(`${server.base}/jobs/events`, STREAMS);
    const connected = await client.next("connected", 120_000);
    if (connected.open === 0) throw new Error(`${kind.name}: no /jobs/events stream opened: ${connected.errors.join("; ")}`);
    await Bun.sleep(3000);
    const t1 = performance.now();
    const open = window(t1 - 1000, t1);
    return { open: connected.open, failed: connected.failed, rssBeforeBytes: before, rssOpenBytes: open, rssPerConnBytes: (open - before) / connected.open };
  } finally {
    clearInterval(sampler);
    if (client) {
      client.send({ type: "exit" });
      await Promise.race([client.proc.exited, Bun.sleep(5000)]);
      client.proc.kill("SIGKILL");
    }
    await server.stop();
  }
}

// ---------------------------------------------------------------- run

const uptime = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const versions = {
  bun: Bun.version,
  deno: existsSync(DENO) ? (Bun.spawnSync([DENO, "--version"]).stdout.toString().split("\n")[0] ?? "?") : "-",
};
log(`load average ${uptime()}; bun ${versions.bun}; ${versions.deno}; servers: ${KINDS.map((k) => k.name).join(", ")}`);

const t = performance.now();
const counted = await countSpans(FILE);
const expected = values.spans ? Number(values.spans) : counted;
log(`${FILE}: ${(statSync(FILE).size / MB).toFixed(0)} MiB, ${counted} spans counted in ${((performance.now() - t) / 1000).toFixed(1)} s; expecting ${expected}`);
if (SSE_FILE !== FILE && !SKIP.has("sse")) await countSpans(SSE_FILE); // warms the page cache

if (!values["skip-warmup"]) {
  // One small import per server kind first, so nothing measured pays for a first start (Deno's module cache, the disk cache of the binaries).
  const small = join(REPO, "bench", "out", "otlp-jsonl-2000.jsonl");
  if (!existsSync(small)) await generate({ format: "otlp-jsonl", out: small, spans: 2000, seed: 42 });
  for (const kind of KINDS) {
    const s = await startServer(kind, ["--workers", "1"]);
    try {
      const { id } = await upload(s, small);
      for (let i = 0; i < 300; i++) {
        if (!["queued", "running"].includes((await getJob(s, id)).status)) break;
        await Bun.sleep(100);
      }
    } finally {
      await s.stop();
    }
  }
  log("warm-up done");
}

const imports: ImportResult[] = [];
const sse: SseResult[] = [];
const loads: { phase: string; kind: string; load: string }[] = [];
if (!SKIP.has("import")) {
  for (const kind of KINDS) {
    loads.push({ phase: "import", kind: kind.name, load: uptime() });
    log(`import: ${kind.name} (load ${uptime()})`);
    const r = await measureImport(kind, FILE, expected);
    imports.push(r);
    log(
      `import: ${kind.name} ${r.status} spans=${r.spans} ${r.ok ? "ok" : "MISMATCH"} job=${r.jobSeconds.toFixed(1)}s (${r.spansPerSecond.toFixed(0)} spans/s) upload=${r.uploadSeconds.toFixed(1)}s ` +
        `peak=${(r.peakRssBytes / MB).toFixed(0)}MB cpu user=${r.cpu.user.toFixed(1)}s sys=${r.cpu.sys.toFixed(1)}s main=${r.threads.main.toFixed(1)}s ${r.threads.busiest.comm}=${r.threads.busiest.cpu.toFixed(1)}s rest=${r.threads.rest.toFixed(1)}s${r.error ? ` error: ${r.error}` : ""}`,
    );
  }
}
if (!SKIP.has("sse")) {
  for (const kind of KINDS) {
    loads.push({ phase: "sse", kind: kind.name, load: uptime() });
    log(`sse: ${kind.name} (load ${uptime()})`);
    const r = await measureSse(kind, SSE_FILE);
    r.idle = await measureIdleStreams(kind);
    sse.push(r);
    log(
      `sse: ${kind.name} open=${r.open}/${r.streams} events=${r.events} missing=${r.missing} spread p50=${r.spread.p50.toFixed(1)}ms p99=${r.spread.p99.toFixed(1)}ms max=${r.spread.max.toFixed(1)}ms ` +
        `rss/conn=${(r.rssPerConnBytes / 1024).toFixed(1)}KB (drift-corrected ${(r.rssPerConnDriftCorrectedBytes / 1024).toFixed(1)}KB, drift ${(r.driftBytesPerSecond / MB).toFixed(2)}MB/s); ` +
        `idle server, /jobs/events: open=${r.idle?.open} rss/conn=${((r.idle?.rssPerConnBytes ?? NaN) / 1024).toFixed(1)}KB`,
    );
  }
}

// ---------------------------------------------------------------- table

const names = KINDS.map((k) => k.name);
type Row = [string, ...string[]];
const rows: Row[] = [];
const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }));
const ratio = (get: (name: string) => number | null | undefined, a: string, b: string) => {
  const x = get(a);
  const y = get(b);
  return x && y && names.includes(a) && names.includes(b) ? `${(x / y).toFixed(2)}×` : "";
};
const hasDeno = names.includes("deno") && names.includes("bun");
const hasBefore = names.includes("bun-before") && names.includes("bun");
function row(label: string, get: (name: string) => number | null | undefined, fmt: (x: number | null | undefined) => string): void {
  rows.push([label, ...names.map((n) => fmt(get(n))), ...(hasDeno ? [ratio(get, "deno", "bun")] : []), ...(hasBefore ? [ratio(get, "bun", "bun-before")] : [])]);
}
const imp = (n: string) => imports.find((r) => r.kind === n);
const ss = (n: string) => sse.find((r) => r.kind === n);
if (imports.length) {
  rows.push([`**import** (${expected.toLocaleString("en-US")} spans, ${(statSync(FILE).size / 1e6).toFixed(0)} MB)`, ...names.map(() => ""), ...(hasDeno ? [""] : []), ...(hasBefore ? [""] : [])]);
  rows.push(["spans imported = expected", ...names.map((n) => (imp(n) ? `${imp(n)!.ok ? "yes" : "**no**"} (${imp(n)!.spans ?? imp(n)!.status})` : "–")), ...(hasDeno ? [""] : []), ...(hasBefore ? [""] : [])]);
  row("job: startedAt → finishedAt (s)", (n) => imp(n)?.jobSeconds, (x) => f(x, 1));
  row("job: result.durationMs (s)", (n) => (imp(n)?.durationMs ?? NaN) / 1000, (x) => f(x, 1));
  row("spans/s", (n) => imp(n)?.spansPerSecond, (x) => f(x, 0));
  row("upload (s)", (n) => imp(n)?.uploadSeconds, (x) => f(x, 1));
  row("upload (MB/s)", (n) => imp(n)?.uploadMBps, (x) => f(x, 0));
  row("peak RSS, VmHWM (MB)", (n) => (imp(n)?.peakRssBytes ?? NaN) / MB, (x) => f(x, 0));
  row("server CPU during the job: user (s)", (n) => imp(n)?.cpu.user, (x) => f(x, 1));
  row("server CPU during the job: sys (s)", (n) => imp(n)?.cpu.sys, (x) => f(x, 1));
  row("  of it main thread (s)", (n) => imp(n)?.threads.main, (x) => f(x, 1));
  row("  of it busiest other thread (s)", (n) => imp(n)?.threads.busiest.cpu, (x) => f(x, 1));
  row("  of it all other threads (s)", (n) => imp(n)?.threads.rest, (x) => f(x, 1));
  row("CPU ÷ wall (cores busy)", (n) => imp(n)?.cpu.utilisation, (x) => f(x, 2));
}
if (sse.length) {
  rows.push([`**SSE fan-out** (${STREAMS.toLocaleString("en-US")} streams, ${EVENTS} progress events, during an import)`, ...names.map(() => ""), ...(hasDeno ? [""] : []), ...(hasBefore ? [""] : [])]);
  rows.push(["streams open / failed", ...names.map((n) => (ss(n) ? `${ss(n)!.open} / ${ss(n)!.failed}` : "–")), ...(hasDeno ? [""] : []), ...(hasBefore ? [""] : [])]);
  row("time to open them all (ms)", (n) => ss(n)?.connectMs, (x) => f(x, 0));
  row("events measured", (n) => ss(n)?.events, (x) => f(x, 0));
  row("arrivals missing", (n) => ss(n)?.missing, (x) => f(x, 0));
  row("spread, first → each other stream: p50 (ms)", (n) => ss(n)?.spread.p50, (x) => f(x, 1));
  row("spread: p99 (ms)", (n) => ss(n)?.spread.p99, (x) => f(x, 1));
  row("spread: max (ms)", (n) => ss(n)?.spread.max, (x) => f(x, 1));
  row("gap between events at the first stream: p50 (ms)", (n) => ss(n)?.gap.p50, (x) => f(x, 0));
  row("gap: p99 (ms)", (n) => ss(n)?.gap.p99, (x) => f(x, 0));
  row("RSS per connection (KB)", (n) => (ss(n)?.rssPerConnBytes ?? NaN) / 1024, (x) => f(x, 1));
  row("RSS per connection, less the import's drift (KB)", (n) => (ss(n)?.rssPerConnDriftCorrectedBytes ?? NaN) / 1024, (x) => f(x, 1));
  row("idle server, GET /jobs/events: streams open", (n) => ss(n)?.idle?.open, (x) => f(x, 0));
  row("idle server: RSS per connection (KB)", (n) => (ss(n)?.idle?.rssPerConnBytes ?? NaN) / 1024, (x) => f(x, 1));
  row("server CPU while collecting (cores)", (n) => ss(n)?.cpuPerSecond, (x) => f(x, 2));
}
const header: Row = ["", ...names, ...(hasDeno ? ["deno ÷ bun"] : []), ...(hasBefore ? ["bun ÷ bun-before"] : [])];
const table = [header, header.map(() => "---") as Row, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
console.log(`\n${table}\n`);
for (const r of imports) console.log(`- ${r.kind}: ${r.build}; busiest other thread: ${r.threads.busiest.comm}`);
console.log(`- load average at each phase: ${loads.map((l) => `${l.phase}/${l.kind} ${l.load}`).join("; ")}; now ${uptime()}`);
if (values.json) {
  await Bun.write(values.json, JSON.stringify({ date: new Date().toISOString(), file: FILE, sseFile: SSE_FILE, expectedSpans: expected, streams: STREAMS, events: EVENTS, versions, loads, imports, sse }, null, 2));
  log(`wrote ${values.json}`);
}
if (imports.some((r) => !r.ok)) process.exitCode = 1;
