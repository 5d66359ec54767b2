/** The HTML routes and their streams against the real server (the browser tests cover the behaviour in Chromium). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { jobTopic } from "../src/context.ts";
import { getJob } from "../src/storage/jobs/get-job.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";

let server: TestServer;
beforeAll(() => {
  server = startTestServer({ maxUploadBytes: 64 * 1024 });
});
afterAll(() => server.dispose());

const HX = { "hx-request": "true" };

async function settled(id: string): Promise<{ status: string }> {
  for (let i = 0; i < 500; i++) {
    const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { status: string };
    if (["completed", "failed", "cancelled"].includes(job.status)) return job;
    await Bun.sleep(10);
  }
  throw new Error("job did not finish");
}

function form(path: string, fields: Record<string, string> = {}): FormData {
  const f = new FormData();
  f.append("file", Bun.file(path), path.split("/").pop());
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

/** Reads an SSE response to its end (the server must end it). */
async function readStream(res: Response, ms = 5000): Promise<string> {
  const timer = setTimeout(() => void res.body?.cancel(), ms);
  const text = await res.text();
  clearTimeout(timer);
  return text;
}

function events(text: string): { event: string; data: string }[] {
  return text
    .split("\n\n")
    .filter((b) => b.includes("data:"))
    .map((b) => ({
      event: /^event: (.*)$/m.exec(b)?.[1] ?? "message",
      data: b
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n"),
    }));
}

describe("import form", () => {
  test("plain POST: 303 to the job's page; several files: 303 to the jobs page", async () => {
    const one = await fetch(`${server.url}/imports`, { method: "POST", body: form(fixturePath("otlp/jaeger-ui-multi-line.jsonl")), redirect: "manual" });
    expect(one.status).toBe(303);
    expect(one.headers.get("location")).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);
    const two = form(fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    two.append("file", Bun.file(fixturePath("otlp/proto-example.json")), "proto-example.json");
    const many = await fetch(`${server.url}/imports`, { method: "POST", body: two, redirect: "manual" });
    expect(many.status).toBe(303);
    expect(many.headers.get("location")).toBe("/jobs");
  });

  test("htmx POST: the live cards, one per file", async () => {
    const res = await fetch(`${server.url}/imports`, { method: "POST", body: form(fixturePath("otlp/jaeger-ui-multi-line.jsonl"), { strict: "true", format: "otlp-jsonl" }), headers: HX });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    const id = /data-job-id="([^"]+)"/.exec(html)![1]!;
    expect(html).toContain(`sse-connect="/jobs/${id}/events"`);
    const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { options: { strict: boolean }; input: { format: string } };
    expect(job.options.strict).toBe(true);
    expect(job.input.format).toBe("otlp-jsonl");
  });

  test("errors: an HTML fragment with the status for htmx, a page otherwise", async () => {
    const bad = await fetch(`${server.url}/imports`, { method: "POST", body: form(fixturePath("otlp/jaeger-ui-multi-line.jsonl"), { format: "csv" }), headers: HX });
    expect(bad.status).toBe(400);
    const fragment = await bad.text();
    expect(fragment).toStartWith('<div class="error-note" role="alert">');
    expect(fragment).toContain("Unknown format &quot;csv&quot;");
    const big = new FormData();
    big.append("file", new Blob([new Uint8Array(100 * 1024)]), "big.json");
    const tooBig = await fetch(`${server.url}/imports`, { method: "POST", body: big });
    expect(tooBig.status).toBe(413);
    const page = await tooBig.text();
    expect(page).toStartWith("<!doctype html>");
    expect(page).toContain("Upload too large");
  });
});

describe("job pages", () => {
  test("a job's page, its card fragment, and 404s as pages or fragments", async () => {
    const { id } = await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    await settled(id);
    const page = await fetch(`${server.url}/jobs/${id}`);
    expect(page.headers.get("vary")).toBe("HX-Request");
    expect(await page.text()).toStartWith("<!doctype html>");
    const card = await (await fetch(`${server.url}/jobs/${id}`, { headers: HX })).text();
    expect(card).toStartWith(`<section class="job-card" id="job-${id}"`);
    expect(card).toContain('data-mode="static"');
    const missing = await fetch(`${server.url}/jobs/01a22088-0000-7000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("Job not found");
    // A polling card of a deleted job gets a static card (200), so its polling stops.
    const gone = await fetch(`${server.url}/jobs/01a22088-0000-7000-8000-000000000000/card?mode=poll`);
    expect(gone.status).toBe(200);
    expect(await gone.text()).toContain("This job no longer exists.");
    expect((await fetch(`${server.url}/nowhere`)).headers.get("content-type")).toStartWith("text/html");
    expect((await fetch(`${server.url}/api/nowhere`)).headers.get("content-type")).toStartWith("application/json");
  });

  test("GET / goes to the jobs page; /import is the form's own page", async () => {
    const root = await fetch(`${server.url}/`, { redirect: "manual" });
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/jobs");
    const importPage = await (await fetch(`${server.url}/import`)).text();
    expect(importPage).toContain('action="/imports"');
    expect(importPage).toContain('enctype="multipart/form-data"');
  });
});

describe("HTML streams", () => {
  test("a finished job's card stream: the card, then `end`, then the stream ends", async () => {
    const { id } = await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    await settled(id);
    const res = await fetch(`${server.url}/jobs/${id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const text = await readStream(res);
    expect(text).toStartWith("retry: 2000\n\n");
    const evs = events(text);
    expect(evs.map((e) => e.event)).toEqual(["job", "end"]);
    expect(evs[0]!.data).toContain('class="job-report"');
    expect(evs[0]!.data).toContain(`id="job-${id}-actions" hx-swap-oob="true"`);
    expect(evs[1]!.data).toBe("end");
    expect(server.hub.size).toBe(0);
  });

  test("an unknown job's card stream is not an error (htmx would retry forever): it says so and ends", async () => {
    const res = await fetch(`${server.url}/jobs/nope/events`);
    expect(res.status).toBe(200);
    const evs = events(await readStream(res));
    expect(evs.map((e) => e.event)).toEqual(["job", "end"]);
    expect(evs[0]!.data).toContain("This job no longer exists.");
  });

  test("the jobs stream: a snapshot of the listed rows, then only their moving cells, and new jobs", async () => {
    const { id } = await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    await settled(id);
    const ac = new AbortController();
    const res = await fetch(`${server.url}/jobs/events?ids=${id},not-an-id&after=${id}`, { signal: ac.signal });
    const reader = res.body!.getReader();
    let text = "";
    const readUntil = async (pred: (t: string) => boolean) => {
      const end = Date.now() + 10_000;
      while (!pred(text) && Date.now() < end) text += new TextDecoder().decode((await reader.read()).value);
      return pred(text);
    };
    expect(await readUntil((t) => t.includes("new-job-rows"))).toBe(true);
    const snapshot = events(text);
    expect(snapshot).toHaveLength(1);
    expect(snapshot[0]!.data).toContain(`<tr id="job-row-${id}"`);
    expect(snapshot[0]!.data).toContain('<tbody id="new-job-rows" hx-swap-oob="true"></tbody>');
    expect(server.ctx.broker.count("jobs/*")).toBe(1);

    const second = await upload(server.url, fixturePath("otlp/proto-example.json"));
    expect(await readUntil((t) => t.includes(`job-row-${second.id}-status`) && t.includes("status-completed\">completed") )).toBe(true);
    const later = events(text).slice(1);
    // First the new-jobs body with the new row, then updates of its cells or the whole row when the status changes.
    expect(later[0]!.data).toContain(`<tbody id="new-job-rows" hx-swap-oob="true"><tr id="job-row-${second.id}"`);
    ac.abort();
    await Bun.sleep(50);
    expect(server.hub.size).toBe(0);
    expect(server.ctx.broker.count()).toBe(0);
  });
});

describe("retry and delete", () => {
  test("API: retry a failed job (202), refuse a completed one (409); delete with and without spans", async () => {
    const failed = await upload(server.url, fixturePath("otlp/invalid/otlp2parquet-malformed.json"));
    expect((await settled(failed.id)).status).toBe("failed");
    const retry = await fetch(`${server.url}/api/jobs/${failed.id}/retry`, { method: "POST" });
    expect(retry.status).toBe(202);
    expect(["queued", "running"]).toContain(((await retry.json()) as { status: string }).status);
    expect((await settled(failed.id)).status).toBe("failed");
    expect(((await (await fetch(`${server.url}/api/jobs/${failed.id}`)).json()) as { attempts: number }).attempts).toBe(2);

    const ok = await upload(server.url, fixturePath("otlp/otlp2parquet-traces.jsonl"));
    await settled(ok.id);
    expect((await fetch(`${server.url}/api/jobs/${ok.id}/retry`, { method: "POST" })).status).toBe(409);
    expect((await fetch(`${server.url}/api/jobs/nope/retry`, { method: "POST" })).status).toBe(404);

    const before = countSpans(server.ctx.store);
    const del = await fetch(`${server.url}/api/jobs/${ok.id}?spans=true`, { method: "DELETE" });
    expect(await del.json()).toEqual({ deleted: ok.id, spansDeleted: 19 });
    expect(countSpans(server.ctx.store)).toBe(before - 19);
    // A failed job keeps its file for a retry (TRACEPORT_KEEP_UPLOADS=failed); deleting the job deletes it.
    const spooled = join(server.dataDir, getJob(server.ctx.store, failed.id)!.inputPath!);
    expect(existsSync(spooled)).toBe(true);
    expect((await fetch(`${server.url}/api/jobs/${failed.id}`, { method: "DELETE" })).status).toBe(200);
    expect(existsSync(spooled)).toBe(false);
    expect((await fetch(`${server.url}/api/jobs/${ok.id}`)).status).toBe(404);
    expect(((await (await fetch(`${server.url}/api/traces?job=${ok.id}`)).json()) as { traces: unknown[] }).traces).toEqual([]);

    const keep = await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
    await settled(keep.id);
    const spans = countSpans(server.ctx.store);
    expect(await (await fetch(`${server.url}/api/jobs/${keep.id}`, { method: "DELETE" })).json()).toEqual({ deleted: keep.id, spansDeleted: 0 });
    expect(countSpans(server.ctx.store)).toBe(spans);
  });

  test("a job whose spooled file is gone cannot be retried (410)", async () => {
    const failed = await upload(server.url, fixturePath("otlp/invalid/otlp2parquet-malformed.json"));
    await settled(failed.id);
    await Bun.file(join(server.dataDir, getJob(server.ctx.store, failed.id)!.inputPath!)).delete();
    const res = await fetch(`${server.url}/api/jobs/${failed.id}/retry`, { method: "POST" });
    expect(res.status).toBe(410);
    // The page form says the same, in HTML, in the flash region for htmx.
    const hx = await fetch(`${server.url}/jobs/${failed.id}/retry`, { method: "POST", headers: HX });
    expect(hx.status).toBe(410);
    expect(hx.headers.get("hx-retarget")).toBe("#flash");
    expect(await hx.text()).toContain("The uploaded file is gone");
  });

  test("an active job cannot be deleted (409)", async () => {
    const paused = startTestServer({ runJobs: false });
    try {
      const { id } = await upload(paused.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
      expect((await fetch(`${paused.url}/api/jobs/${id}`, { method: "DELETE" })).status).toBe(409);
      const plain = await fetch(`${paused.url}/jobs/${id}/delete`, { method: "POST", redirect: "manual" });
      expect(plain.status).toBe(409);
      expect(await plain.text()).toContain("Cancel it first");
      expect(paused.ctx.broker.count(jobTopic(id))).toBe(0);
    } finally {
      await paused.dispose();
    }
  });
});
