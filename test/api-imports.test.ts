/** POST /api/imports and the jobs API against the real server. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fixturePath } from "./helpers/fixtures.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";

let server: TestServer;
beforeAll(() => {
  server = startTestServer({ maxUploadBytes: 64 * 1024, corsOrigins: ["http://front.test"] });
});
afterAll(() => server.dispose());

const spooled = () => readdirSync(join(server.dataDir, "uploads"));

async function settled(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as Record<string, unknown>;
    if (["completed", "failed", "cancelled"].includes(job.status as string)) return job;
    await Bun.sleep(10);
  }
  throw new Error("job did not finish");
}

describe("POST /api/imports", () => {
  test("multipart: 202, Location, the job as JSON, then the counts", async () => {
    const form = new FormData();
    form.append("file", Bun.file(fixturePath("otlp/jaeger-ui-multi-line.jsonl")), "multi.jsonl");
    const res = await fetch(`${server.url}/api/imports`, { method: "POST", body: form });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string; kind: string; input: Record<string, unknown> };
    expect(res.headers.get("location")).toBe(`/api/jobs/${job.id}`);
    expect(job.kind).toBe("import");
    expect(job.input).toEqual({ name: "multi.jsonl", size: Bun.file(fixturePath("otlp/jaeger-ui-multi-line.jsonl")).size, format: "auto" });
    const done = await settled(job.id);
    expect(done.status).toBe("completed");
    expect((done.result as { spans: number }).spans).toBe(4);
  });

  test("a raw body with a JSON content type, options in the query", async () => {
    const res = await fetch(`${server.url}/api/imports?format=otlp-json&strict=true&name=proto.json`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Bun.file(fixturePath("otlp/proto-example.json")),
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string; options: { strict: boolean }; input: { name: string; format: string } };
    expect(job.options.strict).toBe(true);
    expect(job.input).toMatchObject({ name: "proto.json", format: "otlp-json" });
    expect((await settled(job.id)).status).toBe("completed");
  });

  test("the format and strict fields of a multipart form are used", async () => {
    const job = await upload(server.url, fixturePath("otlp/data-prepper-odd-id-lengths.json"), { strict: "true", format: "otlp-json" });
    const done = await settled(job.id);
    expect(done.status).toBe("failed");
    expect(done.error).toContain("Strict import stopped");
  });

  test("several files in one form give one job each", async () => {
    const form = new FormData();
    form.append("file", Bun.file(fixturePath("otlp/proto-example.json")), "a.json");
    form.append("file", Bun.file(fixturePath("otlp/jaeger-link-attributes.json")), "b.json");
    const res = await fetch(`${server.url}/api/imports`, { method: "POST", body: form });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { jobs: { id: string; input: { name: string } }[] };
    expect(body.jobs.map((j) => j.input.name)).toEqual(["a.json", "b.json"]);
  });

  test("an empty body is 400 with JSON", async () => {
    const res = await fetch(`${server.url}/api/imports`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "Empty request body" });
  });

  test("a form without a file is 400", async () => {
    const form = new FormData();
    form.append("format", "auto");
    const res = await fetch(`${server.url}/api/imports`, { method: "POST", body: form });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("No file in the form");
  });

  test("an unsupported content type is 415", async () => {
    const res = await fetch(`${server.url}/api/imports`, { method: "POST", headers: { "content-type": "text/csv" }, body: "a,b\n1,2\n" });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { error: string; details: string };
    expect(body.error).toContain("text/csv");
    expect(body.details).toContain("multipart/form-data");
  });

  test("an unknown format is 400 and nothing stays spooled", async () => {
    const before = spooled();
    const res = await fetch(`${server.url}/api/imports?format=xml`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(400);
    expect(spooled().filter((f) => !before.includes(f))).toEqual([]);
  });

  test("an oversized upload is 413, raw or multipart, and nothing stays spooled", async () => {
    const before = spooled();
    const big = "x".repeat(200 * 1024);
    // A body without Content-Length is only caught while streaming.
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const raw = await fetch(`${server.url}/api/imports`, { method: "POST", headers: { "content-type": "application/json" }, body: chunked });
    expect(raw.status).toBe(413);
    const form = new FormData();
    form.append("file", new Blob([big]), "big.json");
    const multi = await fetch(`${server.url}/api/imports`, { method: "POST", body: form });
    expect(multi.status).toBe(413);
    expect(((await multi.json()) as { error: string }).error).toBe("Upload too large");
    expect(spooled().filter((f) => !before.includes(f))).toEqual([]);
  });

  test("an upload cut off mid-form leaves nothing spooled, raises nothing, and the server carries on", async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on("unhandledRejection", onRejection);
    const before = spooled();
    try {
      const url = new URL(server.url);
      const boundary = "----cutoff";
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.jsonl"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const socket = await Bun.connect({ hostname: url.hostname, port: Number(url.port), socket: { data() {} } });
      socket.write(
        `POST /api/imports HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n${head}{"resourceSpans":[`,
      );
      await Bun.sleep(100);
      socket.end();
      await Bun.sleep(200);
      expect(rejections).toEqual([]);
      // Earlier tests' jobs may finish (and drop their uploads) meanwhile: only new files count.
      expect(spooled().filter((f) => !before.includes(f))).toEqual([]);
      expect((await fetch(`${server.url}/api/jobs`)).status).toBe(200);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  test("a file that is not a trace file fails its own job, and the server carries on", async () => {
    const res = await fetch(`${server.url}/api/imports?name=data.csv`, { method: "POST", headers: { "content-type": "text/plain" }, body: "a,b\n1,2\n" });
    const job = (await res.json()) as { id: string };
    const done = await settled(job.id);
    expect(done.status).toBe("failed");
    expect(done.error).toBe("Not a recognised trace file: its content is neither JSON nor OTLP protobuf");
    expect(done.details).toContain('"a,b 1,2"');
    const ok = await upload(server.url, fixturePath("otlp/proto-example.json"));
    expect((await settled(ok.id)).status).toBe("completed");
  });
});

describe("jobs API", () => {
  test("GET /api/jobs lists newest first, filters by status, pages with a cursor", async () => {
    const all = (await (await fetch(`${server.url}/api/jobs?limit=200`)).json()) as { jobs: { id: string; status: string }[]; nextCursor: string | null };
    expect(all.jobs.length).toBeGreaterThan(4);
    const ids = all.jobs.map((j) => j.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const pages: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = (await (await fetch(`${server.url}/api/jobs?limit=2&cursor=${cursor}`)).json()) as typeof all;
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      pages.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
    }
    expect(pages).toEqual(ids);
    const failed = (await (await fetch(`${server.url}/api/jobs?status=failed`)).json()) as typeof all;
    expect(failed.jobs.length).toBeGreaterThan(0);
    expect(failed.jobs.every((j) => j.status === "failed")).toBe(true);
    expect((await fetch(`${server.url}/api/jobs?status=bogus`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/jobs?limit=0`)).status).toBe(400);
  });

  test("GET /api/jobs/:id of an unknown id is 404 with JSON", async () => {
    const res = await fetch(`${server.url}/api/jobs/unknown`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe("Job not found");
  });

  test("the API never shows where the upload is spooled", async () => {
    const job = await upload(server.url, fixturePath("otlp/proto-example.json"));
    const text = await (await fetch(`${server.url}/api/jobs/${job.id}`)).text();
    expect(text).not.toContain("uploads/");
  });

  test("CORS: an allowed origin gets the headers (and Location exposed); others do not", async () => {
    const pre = await fetch(`${server.url}/api/imports`, {
      method: "OPTIONS",
      headers: { origin: "http://front.test", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://front.test");
    const ok = await fetch(`${server.url}/api/jobs`, { headers: { origin: "http://front.test" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://front.test");
    expect(ok.headers.get("access-control-expose-headers") ?? "").toContain("Location");
    const job = await upload(server.url, fixturePath("otlp/proto-example.json"));
    await settled(job.id);
    const stream = await fetch(`${server.url}/api/jobs/${job.id}/stream`, { headers: { origin: "http://front.test" } });
    expect(stream.headers.get("access-control-allow-origin")).toBe("http://front.test");
    expect(await stream.text()).toContain("event: completed");
    const other = await fetch(`${server.url}/api/jobs`, { headers: { origin: "http://evil.test" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});
