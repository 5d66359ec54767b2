/**
 * The compiled binary, built fresh (or TRACEPORT_BINARY) and started from an
 * empty directory with no node_modules beside it: it must create its store,
 * serve its embedded assets, import real fixtures, follow them live, shut down
 * cleanly on SIGTERM, exit at once on a second signal, and lose nothing when
 * killed with SIGKILL mid-import.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EventSource } from "eventsource";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStore } from "../src/storage/database.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { EXPECTED, fixturePath } from "./helpers/fixtures.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";

const root = resolve(import.meta.dir, "..");
let work: string;
let binary: string;
let bigFile: string;
let bigSpans: number;

interface Running {
  proc: ReturnType<typeof Bun.spawn>;
  base: string;
  log: () => string;
}

/** Starts the binary in `cwd` with only what a fresh shell has, and waits for it to listen. */
async function startBinary(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Running> {
  const proc = Bun.spawn([binary, "--port", "0", ...args], {
    cwd,
    env: { PATH: "/usr/bin:/bin", HOME: cwd, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let log = "";
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const deadline = performance.now() + 15_000;
  while (!/listening url=(\S+)/.test(log)) {
    if (performance.now() > deadline) throw new Error(`binary did not start: ${log}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`binary exited: ${log}`);
    log += new TextDecoder().decode(value);
  }
  // Keep draining the log so the pipe never fills.
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      log += new TextDecoder().decode(value);
    }
  })();
  return { proc, base: /listening url=(\S+)/.exec(log)![1]!, log: () => log };
}

async function uploadTo(base: string, path: string, name = path.split("/").pop()!): Promise<string> {
  const res = await fetch(`${base}/api/imports?name=${encodeURIComponent(name)}`, { method: "POST", body: Bun.file(path), headers: { "content-type": "application/octet-stream" } });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function jobOf(base: string, id: string): Promise<{ status: string; progress: number; attempts: number; result: { spans: number; inserted: number } | null }> {
  return (await (await fetch(`${base}/api/jobs/${id}`)).json()) as never;
}

async function waitFor<T>(what: string, fn: () => Promise<T> | T, ms = 30_000): Promise<NonNullable<T>> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "traceport-bin-"));
  binary = join(work, "bin", "traceport");
  mkdirSync(join(work, "bin"));
  // TRACEPORT_BINARY tests a binary already built (CI: dist/traceport); otherwise build one.
  const given = process.env.TRACEPORT_BINARY;
  if (given) {
    copyFileSync(resolve(given), binary);
  } else {
    const built = join(mkdtempSync(join(tmpdir(), "traceport-build-")), "traceport");
    const build = Bun.spawnSync([process.execPath, "scripts/build.ts", built], { cwd: root, stderr: "pipe", stdout: "pipe" });
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
    copyFileSync(built, binary);
    rmSync(resolve(built, ".."), { recursive: true, force: true });
  }
  Bun.spawnSync(["chmod", "+x", binary]);
  bigFile = join(work, "big.jsonl");
  bigSpans = (await writeOtlpJsonLines(bigFile, { spans: 250_000, spansPerTrace: 25 })).spans;
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("from an empty directory", () => {
  let dir: string;
  let server: Running;

  beforeAll(async () => {
    dir = join(work, "empty");
    mkdirSync(dir);
    expect(readdirSync(dir)).toEqual([]);
    server = await startBinary(dir);
  }, 30_000);
  afterAll(() => {
    server?.proc.kill("SIGKILL");
  });

  test("creates its store in ./traceport-data and serves its embedded assets", async () => {
    expect(existsSync(join(dir, "traceport-data", "traceport.db"))).toBe(true);
    const htmx = await fetch(`${server.base}/assets/htmx-2.0.11.min.js`);
    expect(htmx.status).toBe(200);
    expect(await htmx.text()).toContain('version:"2.0.11"');
    const sse = await fetch(`${server.base}/assets/htmx-ext-sse-2.2.4.min.js`);
    expect(await sse.text()).toContain("sse-connect");
    expect((await fetch(`${server.base}/assets/app.css`)).status).toBe(200);
    expect(await (await fetch(`${server.base}/assets/app.js`)).text()).toContain("htmx:sseError");
    const page = await (await fetch(`${server.base}/jobs`)).text();
    expect(page).toContain('<script src="/assets/htmx-2.0.11.min.js" defer></script>');
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${server.base}/metrics`)).text()).toContain("traceport_jobs");
  });

  test("imports a fixture and streams it to a completed event with the expected counts", async () => {
    const rel = "otlp/otlp2parquet-traces.jsonl";
    const id = await uploadTo(server.base, fixturePath(rel));
    const es = new EventSource(`${server.base}/api/jobs/${id}/stream`);
    const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
      es.addEventListener("completed", (e) => resolve(JSON.parse(e.data).result));
      es.addEventListener("failed", (e) => reject(new Error(e.data)));
      setTimeout(() => reject(new Error("no completed event")), 15_000);
    });
    es.close();
    const want = EXPECTED[rel]!;
    expect(result.traces).toBe(want.traces!);
    expect(result.spans).toBe(want.spans!);
    expect(result.services).toEqual(want.services!);
  });

  test("the binary reads protobuf and zstd: the Collector's legacy zstd proto stream and its native zstd JSON Lines, with the SDK's counts", async () => {
    const generated = JSON.parse(await Bun.file(fixturePath("generated/expected-counts.json")).text()) as Record<string, { spans: number; traces: number }>;
    for (const name of ["collector-proto-zstd-legacy.binpb", "collector-json-native-rotated-frames.jsonl.zst", "sdk-protobuf-serializer.binpb.gz"]) {
      const r = Bun.spawnSync([binary, "import", "--server", server.base, "--json", fixturePath(`generated/${name}`)], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
      expect(r.exitCode).toBe(0);
      const [out] = JSON.parse(r.stdout.toString()) as { status: string; result: { spans: number; traces: number; errors: number } }[];
      expect([name, out!.status, out!.result.spans, out!.result.traces, out!.result.errors]).toEqual([name, "completed", generated[name]!.spans, generated[name]!.traces, 0]);
    }
  });

  test("`traceport import` uploads to it and follows the job; without --server it imports locally", async () => {
    const rel = "jaeger/jaeger-ui-genai-57-spans.json";
    const remote = Bun.spawnSync([binary, "import", "--server", server.base, "--json", fixturePath(rel)], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
    expect(remote.exitCode).toBe(0);
    const [r] = JSON.parse(remote.stdout.toString()) as { status: string; result: { spans: number } }[];
    expect([r!.status, r!.result.spans]).toEqual(["completed", 57]);
    const localDir = join(work, "local-cli");
    mkdirSync(localDir);
    const local = Bun.spawnSync([binary, "import", fixturePath(rel)], { cwd: localDir, env: { PATH: "/usr/bin:/bin" } });
    expect(local.exitCode).toBe(0);
    expect(local.stdout.toString()).toContain("57 new spans in 1 trace");
    expect(existsSync(join(localDir, "traceport-data", "traceport.db"))).toBe(true);
  });

  test("--version and --help work", () => {
    const version = Bun.spawnSync([binary, "--version"], { cwd: dir });
    expect(version.stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = Bun.spawnSync([binary, "serve", "--help"], { cwd: dir });
    for (const env of ["TRACEPORT_DATA_DIR", "TRACEPORT_TOKEN", "TRACEPORT_RETAIN_DAYS", "TRACEPORT_MAX_SSE"]) expect(help.stdout.toString()).toContain(env);
    expect(Bun.spawnSync([binary, "import", "--help"], { cwd: dir }).stdout.toString()).toContain("--server <url>");
  });
});

describe("shutdown and crashes", () => {
  test("SIGTERM mid-import: streams are told to reconnect, the job goes back to the queue, exit 0 within 10 s; after a restart it completes once", async () => {
    const dir = join(work, "sigterm");
    mkdirSync(dir);
    const first = await startBinary(dir, ["--workers", "1"]);
    const id = await uploadTo(first.base, bigFile);
    await waitFor("the import to run", async () => (await jobOf(first.base, id)).progress >= 10);
    const stream = await fetch(`${first.base}/api/jobs/${id}/stream`);
    const streamText = stream.text();
    const t0 = performance.now();
    first.proc.kill("SIGTERM");
    expect(await first.proc.exited).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
    // The last frame says when to come back.
    expect(await streamText).toEndWith("retry: 1000\n: server shutting down; reconnect\n\n");
    expect(first.log()).toContain("job interrupted by shutdown; requeued");

    const store = openStore(join(dir, "traceport-data"));
    const row = store.sqlite.query("SELECT status FROM jobs WHERE id = ?").get(id) as { status: string };
    store.close();
    expect(row.status).toBe("queued");

    const second = await startBinary(dir, ["--workers", "1"]);
    try {
      const done = await waitFor("the job to complete", async () => {
        const j = await jobOf(second.base, id);
        return j.status === "completed" ? j : null;
      }, 60_000);
      expect(done.result!.spans).toBe(bigSpans);
      expect(done.result!.inserted).toBe(bigSpans);
    } finally {
      second.proc.kill("SIGTERM");
      await second.proc.exited;
    }
    const after = openStore(join(dir, "traceport-data"));
    try {
      expect(countSpans(after)).toBe(bigSpans);
    } finally {
      after.close();
    }
  }, 120_000);

  test("a second signal exits at once, even while a request holds the shutdown", async () => {
    const dir = join(work, "second-signal");
    mkdirSync(dir);
    const server = await startBinary(dir);
    const url = new URL(server.base);
    // An upload that sends its body slowly: a graceful stop waits for it.
    const socket = await Bun.connect({ hostname: url.hostname, port: Number(url.port), socket: { data() {} } });
    socket.write(`POST /api/imports HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"resourceSpans":[`);
    await Bun.sleep(200);
    server.proc.kill("SIGTERM");
    await Bun.sleep(500);
    expect(server.proc.exitCode).toBeNull(); // still waiting for the upload
    const t0 = performance.now();
    server.proc.kill("SIGINT");
    expect(await server.proc.exited).toBe(1);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(server.log()).toContain("second signal: exiting now");
    socket.end();
  }, 30_000);

  test("kill -9 mid-import, then a restart: every job completes with exactly the expected counts, none lost, no duplicate", async () => {
    const dir = join(work, "sigkill");
    mkdirSync(dir);
    const first = await startBinary(dir, ["--workers", "1"]);
    const big = await uploadTo(first.base, bigFile);
    const small = ["otlp/otlp2parquet-traces.jsonl", "jaeger/jaeger-ui-genai-57-spans.json"];
    const queued = [];
    for (const rel of small) queued.push(await uploadTo(first.base, fixturePath(rel)));
    await waitFor("the import to be well under way", async () => (await jobOf(first.base, big)).progress >= 30, 60_000);
    first.proc.kill("SIGKILL");
    expect(await first.proc.exited).not.toBe(0);
    const mid = openStore(join(dir, "traceport-data"));
    const partial = countSpans(mid);
    mid.close();
    expect(partial).toBeGreaterThan(0); // it really died with spans half-written

    const second = await startBinary(dir, ["--workers", "1"]);
    try {
      for (const id of [big, ...queued]) {
        await waitFor(`job ${id} to complete`, async () => (await jobOf(second.base, id)).status === "completed", 90_000);
      }
      const bigJob = await jobOf(second.base, big);
      expect(bigJob.attempts).toBe(2);
      expect(bigJob.result!.spans).toBe(bigSpans);
      expect(bigJob.result!.inserted).toBe(bigSpans);
      for (const [i, id] of queued.entries()) expect((await jobOf(second.base, id)).result!.spans).toBe(EXPECTED[small[i]!]!.spans!);
      expect(second.log()).toContain("job requeued after an unclean stop");
    } finally {
      second.proc.kill("SIGTERM");
      await second.proc.exited;
    }
    const store = openStore(join(dir, "traceport-data"));
    try {
      const expected = bigSpans + small.reduce((n, rel) => n + (EXPECTED[rel]!.unique_spans ?? EXPECTED[rel]!.spans!), 0);
      expect(countSpans(store)).toBe(expected);
      const dupes = store.sqlite.query("SELECT count(*) AS n FROM (SELECT trace_id, span_id FROM spans GROUP BY 1, 2 HAVING count(*) > 1)").get() as { n: number };
      expect(dupes.n).toBe(0);
      expect((store.sqlite.query("SELECT count(*) AS n FROM jobs WHERE status <> 'completed'").get() as { n: number }).n).toBe(0);
    } finally {
      store.close();
    }
  }, 180_000);
});
