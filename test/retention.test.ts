/** Uploaded files kept only for retry, and finished jobs removed after the retention period. */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { KeepUploads } from "../src/config/settings.ts";
import { getJob } from "../src/storage/jobs/get-job.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.dispose();
});

function start(keepUploads: KeepUploads, retainDays = 30): TestServer {
  const s = startTestServer({ keepUploads, retainDays });
  servers.push(s);
  return s;
}

async function run(server: TestServer, rel: string): Promise<{ id: string; status: string; file: string }> {
  const { id } = await upload(server.url, fixturePath(rel));
  const file = join(server.dataDir, getJob(server.ctx.store, id)!.inputPath!);
  for (let i = 0; i < 500; i++) {
    const status = getJob(server.ctx.store, id)!.status;
    if (status === "completed" || status === "failed") {
      await Bun.sleep(5);
      return { id, status, file };
    }
    await Bun.sleep(10);
  }
  throw new Error("job did not finish");
}

describe("uploaded files", () => {
  test("failed (the default): a completed import's file is deleted, a failed one's is kept for retry", async () => {
    const server = start("failed");
    const ok = await run(server, "otlp/jaeger-ui-multi-line.jsonl");
    expect(ok.status).toBe("completed");
    expect(existsSync(ok.file)).toBe(false);
    const bad = await run(server, "otlp/invalid/otlp2parquet-malformed.json");
    expect(bad.status).toBe("failed");
    expect(existsSync(bad.file)).toBe(true);
    expect((await fetch(`${server.url}/api/jobs/${bad.id}/retry`, { method: "POST" })).status).toBe(202);
  });

  test("all keeps every file; none keeps none (a retry then says the file is gone)", async () => {
    const all = start("all");
    expect(existsSync((await run(all, "otlp/jaeger-ui-multi-line.jsonl")).file)).toBe(true);
    const none = start("none");
    const bad = await run(none, "otlp/invalid/otlp2parquet-malformed.json");
    expect(existsSync(bad.file)).toBe(false);
    expect((await fetch(`${none.url}/api/jobs/${bad.id}/retry`, { method: "POST" })).status).toBe(410);
  });
});

describe("retention", () => {
  test("finished jobs older than the period go, with their events and files; their spans stay", async () => {
    const server = start("all", 7);
    const old = await run(server, "otlp/otlp2parquet-traces.jsonl");
    const recent = await run(server, "otlp/jaeger-ui-multi-line.jsonl");
    const db = server.ctx.store.sqlite;
    db.query("UPDATE jobs SET finished_at = ? WHERE id = ?").run(Date.now() - 8 * 24 * 3600 * 1000, old.id);
    const spans = countSpans(server.ctx.store);
    expect(server.retention.sweep()).toBe(1);
    expect(getJob(server.ctx.store, old.id)).toBeUndefined();
    expect((db.query("SELECT count(*) AS n FROM job_events WHERE job_id = ?").get(old.id) as { n: number }).n).toBe(0);
    expect(existsSync(old.file)).toBe(false);
    expect(getJob(server.ctx.store, recent.id)).toBeDefined();
    expect(existsSync(recent.file)).toBe(true);
    expect(countSpans(server.ctx.store)).toBe(spans);
    expect(((await (await fetch(`${server.url}/api/traces?service=kafka`)).json()) as { traces: unknown[] }).traces.length).toBeGreaterThan(0);
    // Nothing more to do.
    expect(server.retention.sweep()).toBe(0);
  });

  test("0 days keeps everything", async () => {
    const server = start("all", 0);
    const job = await run(server, "otlp/jaeger-ui-multi-line.jsonl");
    server.ctx.store.sqlite.query("UPDATE jobs SET finished_at = 0 WHERE id = ?").run(job.id);
    expect(server.retention.sweep()).toBe(0);
    expect(getJob(server.ctx.store, job.id)).toBeDefined();
  });
});
