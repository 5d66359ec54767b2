/** Health, readiness, metrics and the limits, against the real server. */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readdirSync } from "node:fs";
import { openStore } from "../src/storage/database.ts";
import { schemaStatus } from "../src/storage/schema-status.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";

const servers: TestServer[] = [];
function start(...args: Parameters<typeof startTestServer>): TestServer {
  const s = startTestServer(...args);
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.dispose();
});

async function settled(server: TestServer, id: string): Promise<{ status: string; error: string | null; details: string | null }> {
  for (let i = 0; i < 1000; i++) {
    const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { status: string; error: string | null; details: string | null };
    if (["completed", "failed", "cancelled"].includes(job.status)) return job;
    await Bun.sleep(10);
  }
  throw new Error("job did not finish");
}

describe("health", () => {
  test("/healthz and /readyz answer 200 on a running server", async () => {
    const server = start();
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  test("readiness is false when the schema is not migrated", () => {
    const server = start({ runJobs: false });
    expect(schemaStatus(server.ctx.store)).toEqual({ ok: true });
    server.ctx.store.sqlite.exec("DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)");
    const status = schemaStatus(server.ctx.store);
    expect(status.ok).toBe(false);
    expect((status as { reason: string }).reason).toMatch(/^2 of 3 migrations applied$/);
  });
});

describe("metrics", () => {
  test("Prometheus text: jobs by status, running imports, SSE, spans, durations, bytes and delivery lag", async () => {
    const server = start({ runJobs: false });
    const { id } = await upload(server.url, fixturePath("otlp/otlp2parquet-traces.jsonl"));
    // Follow the stream while the job runs, so its events are delivered live to a client.
    const stream = await fetch(`${server.url}/api/jobs/${id}/stream`);
    server.ctx.runner.start();
    await stream.text();
    await settled(server, id);
    const failed = await upload(server.url, fixturePath("otlp/invalid/otlp2parquet-malformed.json"));
    await settled(server, failed.id);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get("content-type")).toStartWith("text/plain");
    const text = await res.text();
    expect(text).toContain('traceport_jobs{status="completed"} 1');
    expect(text).toContain('traceport_jobs{status="failed"} 1');
    expect(text).toContain('traceport_jobs{status="queued"} 0');
    expect(text).toContain("traceport_imports_running 0");
    expect(text).toContain("traceport_sse_connections 0");
    expect(text).toContain("traceport_spans_imported_total 19");
    expect(text).toContain('traceport_jobs_finished_total{status="failed"} 1');
    expect(text).toMatch(/traceport_import_duration_seconds_count\{status="completed"\} 1/);
    expect(text).toMatch(/traceport_import_bytes_sum\{status="completed"\} \d+/);
    expect(Number(/traceport_event_delivery_lag_seconds_count (\d+)/.exec(text)![1])).toBeGreaterThan(0);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });
});

describe("limits", () => {
  test("too many SSE connections: 503 with Retry-After, API and page streams alike; others unharmed", async () => {
    const server = start({ runJobs: false, maxSseConnections: 2 });
    const { id } = await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    const ac = new AbortController();
    const open = [await fetch(`${server.url}/api/jobs/${id}/stream`, { signal: ac.signal }), await fetch(`${server.url}/jobs/${id}/events`, { signal: ac.signal })];
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    expect(server.hub.size).toBe(2);
    const refused = await fetch(`${server.url}/api/jobs/${id}/stream`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(((await refused.json()) as { error: string }).error).toBe("Too many live connections");
    expect((await fetch(`${server.url}/jobs/events?ids=${id}`)).status).toBe(503);
    expect((await fetch(`${server.url}/api/jobs/${id}`)).status).toBe(200);
    ac.abort();
    await Bun.sleep(50);
    expect(server.hub.size).toBe(0);
    const again = await fetch(`${server.url}/api/jobs/${id}/stream`);
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  test("too many queued jobs: 429 with Retry-After, before the upload is read", async () => {
    const server = start({ runJobs: false, maxQueuedJobs: 2 });
    await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    const spooled = readdirSync(join(server.dataDir, "uploads")).length;
    const form = new FormData();
    form.append("file", Bun.file(fixturePath("otlp/jaeger-ui-multi-line.jsonl")), "third.jsonl");
    const res = await fetch(`${server.url}/api/imports`, { method: "POST", body: form });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(((await res.json()) as { details: string }).details).toContain("TRACEPORT_MAX_QUEUED is 2");
    expect(readdirSync(join(server.dataDir, "uploads")).length).toBe(spooled);
  });

  test("a full disk while importing fails that job clearly; the server and the next job carry on", async () => {
    const server = start();
    const big = join(server.dataDir, "big.jsonl");
    await writeOtlpJsonLines(big, { spans: 30_000 });
    const db = server.ctx.store.sqlite;
    const pages = (db.query("PRAGMA page_count").get() as { page_count: number }).page_count;
    // The store may grow by about 400 KB: far less than this import needs.
    db.exec(`PRAGMA max_page_count = ${pages + 100}`);
    const { id } = await upload(server.url, big);
    const job = await settled(server, id);
    expect(job.status).toBe("failed");
    expect(job.error).toBe("The server's disk is full: the import could not be stored");
    expect(job.details).toContain("Nothing from this file was kept");
    expect((db.query("SELECT count(*) AS n FROM spans WHERE job_id = ?").get(id) as { n: number }).n).toBe(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    db.exec("PRAGMA max_page_count = 1073741823");
    const next = await upload(server.url, fixturePath("otlp/otlp2parquet-traces.jsonl"));
    expect((await settled(server, next.id)).status).toBe("completed");
  });
});

test("the store opened twice reports ready", () => {
  const server = start({ runJobs: false });
  const again = openStore(server.dataDir);
  try {
    expect(schemaStatus(again)).toEqual({ ok: true });
  } finally {
    again.close();
  }
});
