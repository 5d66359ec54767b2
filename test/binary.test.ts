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
import { EXPECTED, fixturePath } from "./helpers/fixtures.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";
import { secondSignal, sigkillMidImport, sigtermMidImport, type BigFile, type Launch } from "./helpers/lifecycle-scenarios.ts";
import { uploadRaw } from "./helpers/remote.ts";
import { startServerProcess, stopAllServerProcesses, type ServerProcess } from "./helpers/server-process.ts";

const root = resolve(import.meta.dir, "..");
let work: string;
let binary: string;
let big: BigFile;

/** Starts the binary in `cwd` with only what a fresh shell has (its store: ./traceport-data), and waits for it to listen. */
function startBinary(cwd: string, args: string[] = []): Promise<ServerProcess> {
  return startServerProcess({ runtime: { binary }, cwd, dataDir: null, args });
}

/** A launcher for the shutdown scenarios: the binary in a directory of its own, the same one on every restart. */
function launcherIn(name: string): Launch {
  const dir = join(work, name);
  mkdirSync(dir);
  return (args = []) => startBinary(dir, args);
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
  const path = join(work, "big.jsonl");
  big = { path, spans: (await writeOtlpJsonLines(path, { spans: 250_000, spansPerTrace: 25 })).spans };
}, 120_000);

afterAll(async () => {
  await stopAllServerProcesses();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("from an empty directory", () => {
  let dir: string;
  let server: ServerProcess;

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
    const id = await uploadRaw(server.base, fixturePath(rel));
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
    await sigtermMidImport(launcherIn("sigterm"), big);
  }, 120_000);

  test("a second signal exits at once, even while a request holds the shutdown", async () => {
    await secondSignal(launcherIn("second-signal"));
  }, 30_000);

  test("kill -9 mid-import, then a restart: every job completes with exactly the expected counts, none lost, no duplicate", async () => {
    await sigkillMidImport(launcherIn("sigkill"), big);
  }, 180_000);
});
