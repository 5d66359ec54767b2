/**
 * The JSON API, health, metrics, assets and pages of a traceport process run
 * by TRACEPORT_TEST_RUNTIME (bun by default, or deno), over HTTP only.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EXPECTED, fixturePath } from "../helpers/fixtures.ts";
import { writeOtlpJsonLines } from "../helpers/generate-otlp.ts";
import { jobOf, settled, uploadForm, uploadRaw, type JobJson } from "../helpers/remote.ts";
import { REPO, selectedRuntime, startServerProcess, stopAllServerProcesses, type ServerProcess } from "../helpers/server-process.ts";

const runtime = selectedRuntime();
let server: ServerProcess;
let slowFile: string;

beforeAll(async () => {
  server = await startServerProcess({ args: ["--workers", "1"] });
  slowFile = join(server.dataDir, "slow.jsonl");
  await writeOtlpJsonLines(slowFile, { spans: 60_000, service: "slow" });
}, 90_000);
afterAll(() => stopAllServerProcesses());

const GENAI = "jaeger/jaeger-ui-genai-57-spans.json";
const MULTI = "otlp/jaeger-ui-multi-line.jsonl";

describe(`traceport under ${runtime}: the JSON API`, () => {
  test("POST /api/imports with a raw body: 202, Location, the job; then completed with the counts", async () => {
    const res = await fetch(`${server.base}/api/imports?name=genai.json&format=jaeger`, { method: "POST", headers: { "content-type": "application/json" }, body: Bun.file(fixturePath(GENAI)) });
    expect(res.status).toBe(202);
    const job = (await res.json()) as JobJson;
    expect(res.headers.get("location")).toBe(`/api/jobs/${job.id}`);
    expect(job.kind).toBe("import");
    expect(["queued", "running"]).toContain(job.status);
    expect(job.input).toEqual({ name: "genai.json", size: Bun.file(fixturePath(GENAI)).size, format: "jaeger" });
    const done = await settled(server.base, job.id);
    expect(done.status).toBe("completed");
    expect(done.result!.spans).toBe(57);
    expect(done.result!.traces).toBe(1);
    expect(done.result!.services).toEqual(EXPECTED[GENAI]!.services!);
  });

  test("POST /api/imports with multipart/form-data: one job per file, form fields used", async () => {
    const one = await uploadForm(server.base, fixturePath(MULTI), { format: "otlp-jsonl", strict: "true" });
    expect(one.status).toBe(202);
    const job = (await one.json()) as JobJson & { options: { strict: boolean } };
    expect(job.input).toEqual({ name: "jaeger-ui-multi-line.jsonl", size: Bun.file(fixturePath(MULTI)).size, format: "otlp-jsonl" });
    expect(job.options.strict).toBe(true);
    expect((await settled(server.base, job.id)).result!.spans).toBe(4);

    const form = new FormData();
    form.append("file", Bun.file(fixturePath("otlp/proto-example.json")), "a.json");
    form.append("file", Bun.file(fixturePath("otlp/jaeger-link-attributes.json")), "b.json");
    const two = await fetch(`${server.base}/api/imports`, { method: "POST", body: form });
    expect(two.status).toBe(202);
    const { jobs } = (await two.json()) as { jobs: JobJson[] };
    expect(jobs.map((j) => j.input.name)).toEqual(["a.json", "b.json"]);
    for (const j of jobs) expect((await settled(server.base, j.id)).status).toBe("completed");
  });

  test("errors are JSON { error, details }: empty body 400, unsupported type 415, unknown job 404", async () => {
    const empty = await fetch(`${server.base}/api/imports`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(empty.status).toBe(400);
    expect(empty.headers.get("content-type")).toContain("application/json");
    expect(await empty.json()).toMatchObject({ error: "Empty request body" });
    const csv = await fetch(`${server.base}/api/imports`, { method: "POST", headers: { "content-type": "text/csv" }, body: "a,b\n1,2\n" });
    expect(csv.status).toBe(415);
    const body = (await csv.json()) as { error: string; details: string };
    expect(body.error).toContain("text/csv");
    expect(body.details).toContain("multipart/form-data");
    for (const [method, path] of [["GET", "/api/jobs/no-such-job"], ["POST", "/api/jobs/no-such-job/cancel"], ["GET", "/api/jobs/no-such-job/stream"]] as const) {
      const res = await fetch(`${server.base}${path}`, { method });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(await res.json()).toEqual({ error: "Job not found", details: 'No job has the id "no-such-job".' });
    }
    const nowhere = await fetch(`${server.base}/api/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers.get("content-type")).toStartWith("application/json");
    expect(typeof ((await nowhere.json()) as { error: unknown }).error).toBe("string");
  });

  test("GET /api/jobs lists the jobs newest first, filters by status and pages", async () => {
    const all = (await (await fetch(`${server.base}/api/jobs?limit=200`)).json()) as { jobs: JobJson[]; nextCursor: string | null };
    expect(all.jobs.length).toBeGreaterThanOrEqual(4);
    const ids = all.jobs.map((j) => j.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(all.nextCursor).toBeNull();
    const first = (await (await fetch(`${server.base}/api/jobs?limit=2`)).json()) as typeof all;
    expect(first.jobs.map((j) => j.id)).toEqual(ids.slice(0, 2));
    const next = (await (await fetch(`${server.base}/api/jobs?limit=2&cursor=${first.nextCursor}`)).json()) as typeof all;
    expect(next.jobs.map((j) => j.id)).toEqual(ids.slice(2, 4));
    const completed = (await (await fetch(`${server.base}/api/jobs?status=completed&limit=200`)).json()) as typeof all;
    expect(completed.jobs.length).toBeGreaterThan(0);
    expect(completed.jobs.every((j) => j.status === "completed")).toBe(true);
    expect((await fetch(`${server.base}/api/jobs?status=bogus`)).status).toBe(400);
    // One job by id is the same job.
    const one = await jobOf(server.base, ids[0]!);
    expect(one.id).toBe(ids[0]!);
    expect(JSON.stringify(one)).not.toContain("uploads/");
  });

  test("cancel: a queued or running import is cancelled, keeps no spans; a finished one is 409", async () => {
    const running = await uploadRaw(server.base, slowFile);
    const queued = await uploadRaw(server.base, fixturePath(MULTI)); // waits behind it: one worker
    expect((await jobOf(server.base, queued)).status).toBe("queued");
    const q = await fetch(`${server.base}/api/jobs/${queued}/cancel`, { method: "POST" });
    expect(q.status).toBe(200);
    expect(((await q.json()) as JobJson).status).toBe("cancelled");
    const r = await fetch(`${server.base}/api/jobs/${running}/cancel`, { method: "POST" });
    expect([200, 202]).toContain(r.status);
    const done = await settled(server.base, running);
    expect(done.status).toBe("cancelled");
    const traces = (await (await fetch(`${server.base}/api/traces?job=${running}`)).json()) as { traces: unknown[] };
    expect(traces.traces).toEqual([]);
    const again = await fetch(`${server.base}/api/jobs/${running}/cancel`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "Job already cancelled", details: "Only a queued or running job can be cancelled." });
  });

  test("GET /api/traces lists the imported traces; GET /api/traces/:id gives the spans in tree order", async () => {
    const list = (await (await fetch(`${server.base}/api/traces?service=coding-agent`)).json()) as { traces: { traceId: string; spanCount: number; services: string[] }[] };
    expect(list.traces.length).toBe(1);
    const t = list.traces[0]!;
    expect(t.spanCount).toBe(57);
    expect(t.services).toEqual(EXPECTED[GENAI]!.services!);
    const trace = (await (await fetch(`${server.base}/api/traces/${t.traceId}`)).json()) as { traceId: string; spanCount: number; spans: { spanId: string; parentSpanId: string | null; depth: number }[] };
    expect(trace.traceId).toBe(t.traceId);
    expect(trace.spans.length).toBe(57);
    expect(trace.spans[0]!.depth).toBe(0);
    expect(Math.max(...trace.spans.map((s) => s.depth)) + 1).toBe(EXPECTED[GENAI]!.max_depth!);
    const otlp = await fetch(`${server.base}/api/traces/${t.traceId}?format=otlp`);
    expect(otlp.status).toBe(200);
    expect(((await otlp.json()) as { resourceSpans: unknown[] }).resourceSpans.length).toBeGreaterThan(0);
    expect((await fetch(`${server.base}/api/traces/ffffffffffffffffffffffffffffffff`)).status).toBe(404);
    const services = (await (await fetch(`${server.base}/api/services`)).json()) as { services: string[] };
    expect(services.services).toContain("coding-agent");
  });
});

describe(`traceport under ${runtime}: health, metrics, assets and pages`, () => {
  test("/healthz, /readyz and /metrics", async () => {
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
    const metrics = await fetch(`${server.base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    const text = await metrics.text();
    for (const name of ["traceport_jobs", "traceport_imports_running", "traceport_sse_connections", "traceport_spans_imported_total", "traceport_jobs_finished_total", "process_resident_memory_bytes"]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/^traceport_jobs\{status="completed"\} [1-9]\d*$/m);
    // What is running: the runtime this suite asked for, and its SQLite driver.
    const driver = runtime === "deno" || process.env.TRACEPORT_SQLITE === "node" ? "node:sqlite" : "bun:sqlite";
    expect(text).toMatch(new RegExp(`^traceport_build_info\\{version="\\d+\\.\\d+\\.\\d+",runtime="${runtime}",runtime_version="\\d+\\.\\d+\\.\\d+",sqlite_driver="${driver}"\\} 1$`, "m"));
  });

  test("the embedded assets: htmx 2.0.11, htmx-ext-sse 2.2.4, app.css, app.js", async () => {
    const htmx = await fetch(`${server.base}/assets/htmx-2.0.11.min.js`);
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(htmx.headers.get("cache-control")).toContain("immutable");
    expect(await htmx.text()).toContain('version:"2.0.11"');
    const sse = await fetch(`${server.base}/assets/htmx-ext-sse-2.2.4.min.js`);
    expect(sse.status).toBe(200);
    expect(await sse.text()).toContain("sse-connect");
    const css = await fetch(`${server.base}/assets/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toBe(await Bun.file(join(REPO, "public", "app.css")).text());
    expect(await (await fetch(`${server.base}/assets/app.js`)).text()).toContain("htmx:sseError");
  });

  test("the pages render: / goes to /jobs; /jobs and /traces are full pages that load the assets", async () => {
    const root = await fetch(`${server.base}/`, { redirect: "manual" });
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/jobs");
    const jobs = await fetch(`${server.base}/jobs`);
    expect(jobs.status).toBe(200);
    expect(jobs.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const jobsHtml = await jobs.text();
    expect(jobsHtml).toStartWith("<!doctype html>");
    expect(jobsHtml).toContain("<title>Jobs · traceport</title>");
    expect(jobsHtml).toContain('<script src="/assets/htmx-2.0.11.min.js" defer></script>');
    expect(jobsHtml).toContain('<script src="/assets/htmx-ext-sse-2.2.4.min.js" defer></script>');
    expect(jobsHtml).toContain('sse-connect="/jobs/events?');
    expect(jobsHtml).toContain("genai.json");
    const traces = await fetch(`${server.base}/traces`);
    expect(traces.status).toBe(200);
    const tracesHtml = await traces.text();
    expect(tracesHtml).toStartWith("<!doctype html>");
    expect(tracesHtml).toContain('<table class="traces"');
    expect(tracesHtml).toContain("coding-agent");
    expect(await (await fetch(`${server.base}/nowhere`)).text()).toStartWith("<!doctype html>");
  });
});

describe(`traceport under ${runtime}: settings`, () => {
  async function uploadStatus(s: ServerProcess): Promise<number> {
    const res = await fetch(`${s.base}/api/imports`, { method: "POST", headers: { "content-type": "application/json" }, body: Bun.file(fixturePath(GENAI)) });
    await res.body?.cancel();
    return res.status;
  }

  test("a setting given by its environment variable takes effect (TRACEPORT_MAX_UPLOAD=1k: a 4 KB upload is 413)", async () => {
    const small = await startServerProcess({ env: { TRACEPORT_MAX_UPLOAD: "1k" } });
    try {
      expect(await uploadStatus(small)).toBe(413);
    } finally {
      await small.stop();
    }
  }, 60_000);

  // These flags were once accepted and ignored (commander names a value after
  // its flag, maxUpload; the config takes it by key, maxUploadBytes).
  test("the same setting given as a flag takes effect (--max-upload 1k: a 4 KB upload is 413)", async () => {
    const small = await startServerProcess({ args: ["--max-upload", "1k"] });
    try {
      expect(await uploadStatus(small)).toBe(413);
    } finally {
      await small.stop();
    }
  }, 60_000);
});
