/**
 * The compiled binary, built fresh and started from an empty directory with no
 * node_modules beside it: it must create its store, serve its embedded assets,
 * import a real fixture and stream the job to completion.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { EventSource } from "eventsource";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EXPECTED, fixturePath } from "./helpers/fixtures.ts";

const root = resolve(import.meta.dir, "..");
let work: string;
let proc: ReturnType<typeof Bun.spawn>;
let base: string;
let log = "";

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "traceport-bin-"));
  // TRACEPORT_BINARY tests a binary already built (CI: dist/traceport); otherwise build one.
  const given = process.env.TRACEPORT_BINARY;
  if (given) {
    copyFileSync(resolve(given), join(work, "traceport"));
  } else {
    const built = join(mkdtempSync(join(tmpdir(), "traceport-build-")), "traceport");
    const build = Bun.spawnSync([process.execPath, "scripts/build.ts", built], { cwd: root, stderr: "pipe", stdout: "pipe" });
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
    copyFileSync(built, join(work, "traceport"));
    rmSync(resolve(built, ".."), { recursive: true, force: true });
  }
  Bun.spawnSync(["chmod", "+x", join(work, "traceport")]);
  expect(readdirSync(work)).toEqual(["traceport"]);
  proc = Bun.spawn([join(work, "traceport"), "--port", "0"], {
    cwd: work,
    // Only what a fresh shell would have: no NODE_PATH, no project variables.
    env: { PATH: "/usr/bin:/bin", HOME: work },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  const deadline = performance.now() + 15_000;
  while (!/listening url=(\S+)/.test(log)) {
    if (performance.now() > deadline) throw new Error(`binary did not start: ${log}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`binary exited: ${log}`);
    log += new TextDecoder().decode(value);
  }
  base = /listening url=(\S+)/.exec(log)![1]!;
  // Keep draining the log so the pipe never fills.
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      log += new TextDecoder().decode(value);
    }
  })();
}, 120_000);

afterAll(() => {
  proc?.kill("SIGKILL");
  if (work) rmSync(work, { recursive: true, force: true });
});

test("creates its store in ./traceport-data and serves its embedded assets", async () => {
  expect(existsSync(join(work, "traceport-data", "traceport.db"))).toBe(true);
  const htmx = await fetch(`${base}/assets/htmx-2.0.11.min.js`);
  expect(htmx.status).toBe(200);
  expect(await htmx.text()).toContain('version:"2.0.11"');
  const sse = await fetch(`${base}/assets/htmx-ext-sse-2.2.4.min.js`);
  expect(sse.status).toBe(200);
  expect(await sse.text()).toContain("sse-connect");
  expect((await fetch(`${base}/assets/app.css`)).status).toBe(200);
  const page = await (await fetch(`${base}/`)).text();
  expect(page).toContain('<script src="/assets/htmx-2.0.11.min.js" defer></script>');
});

test("imports a fixture and streams it to a completed event with the expected counts", async () => {
  const rel = "otlp/otlp2parquet-traces.jsonl";
  const form = new FormData();
  form.append("file", Bun.file(fixturePath(rel)), "otlp2parquet-traces.jsonl");
  const res = await fetch(`${base}/api/imports`, { method: "POST", body: form });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const es = new EventSource(`${base}/api/jobs/${id}/stream`);
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
  const job = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as { status: string };
  expect(job.status).toBe("completed");
});

test("--version and --help work, and SIGTERM exits cleanly", async () => {
  const version = Bun.spawnSync([join(work, "traceport"), "--version"], { cwd: work });
  expect(version.stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const help = Bun.spawnSync([join(work, "traceport"), "serve", "--help"], { cwd: work });
  expect(help.stdout.toString()).toContain("TRACEPORT_DATA_DIR");
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
});
