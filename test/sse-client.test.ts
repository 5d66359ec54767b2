/** The typed client against the real server: cut streams, failing streams, auth, and Node. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SSEClient, mintStreamToken, type FetchLike, type SSEJobUpdate } from "../src/client/sse-client.ts";
import { listJobEventsAfter } from "../src/storage/jobs/list-job-events.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";

let dir: string;
let bigFile: string;
const servers: TestServer[] = [];
function start(...args: Parameters<typeof startTestServer>): TestServer {
  const s = startTestServer(...args);
  servers.push(s);
  return s;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "traceport-client-"));
  bigFile = join(dir, "client.jsonl");
  await writeOtlpJsonLines(bigFile, { spans: 80_000 });
});
afterAll(async () => {
  for (const s of servers) await s.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Records every handler call in order. */
function recorder() {
  const calls: { kind: string; update?: SSEJobUpdate; mode?: string }[] = [];
  return {
    calls,
    handlers: {
      onOpen: () => calls.push({ kind: "open" }),
      onProgress: (u: SSEJobUpdate) => calls.push({ kind: "progress", update: u }),
      onCompleted: (u: SSEJobUpdate) => calls.push({ kind: "completed", update: u }),
      onFailed: (u: SSEJobUpdate) => calls.push({ kind: "failed", update: u }),
      onCancelled: (u: SSEJobUpdate) => calls.push({ kind: "cancelled", update: u }),
      onError: (e: Error, info: { fatal: boolean }) => calls.push({ kind: info.fatal ? "fatal" : "error", update: { error: e.message } as SSEJobUpdate }),
      onModeChange: (mode: string) => calls.push({ kind: "mode", mode }),
    },
    updates: () => calls.filter((c) => c.update && ["progress", "completed", "failed", "cancelled"].includes(c.kind)).map((c) => c.update!),
  };
}

/** Every state once, in order: never a step back, exactly one terminal state, last. */
function expectOrdered(updates: SSEJobUpdate[], terminal: SSEJobUpdate["status"]): void {
  const rank = { queued: 0, running: 1, completed: 2, failed: 2, cancelled: 2 } as const;
  for (let i = 1; i < updates.length; i++) {
    const [a, b] = [updates[i - 1]!, updates[i]!];
    expect(rank[b.status] >= rank[a.status]).toBe(true);
    if (a.status === b.status) expect(b.progress).toBeGreaterThanOrEqual(a.progress);
  }
  expect(updates.filter((u) => ["completed", "failed", "cancelled"].includes(u.status)).map((u) => u.status)).toEqual([terminal]);
  expect(updates.at(-1)!.status).toBe(terminal);
}

describe("SSEClient", () => {
  test("follows a job to its report", async () => {
    const server = start({ runJobs: false });
    const { id } = await upload(server.url, bigFile);
    const r = recorder();
    const client = new SSEClient(`${server.url}/api/jobs/${id}/stream`, r.handlers);
    server.ctx.runner.start();
    const last = await client.done;
    expect(last!.status).toBe("completed");
    expect((last!.result as { spans: number }).spans).toBe(80_000);
    expect(r.calls[0]!.kind).toBe("open");
    expectOrdered(r.updates(), "completed");
    expect(r.updates().length).toBeGreaterThan(3);
    expect(client.mode).toBe("stream");
    expect(server.hub.size).toBe(0);
  });

  test("a stream cut mid-import resumes with Last-Event-ID: no event lost, none twice", async () => {
    const server = start({ runJobs: false });
    const { id } = await upload(server.url, bigFile);
    const r = recorder();
    const client = new SSEClient({ baseUrl: server.url, jobId: id }, { ...r.handlers, initialDelayMs: 50 });
    server.ctx.runner.start();
    // Cut every stream twice while the import runs.
    for (let cut = 0; cut < 2; cut++) {
      for (let i = 0; i < 500 && r.updates().filter((u) => u.status === "running").length < 3 * (cut + 1); i++) await Bun.sleep(5);
      server.hub.closeAll();
    }
    await client.done;
    const updates = r.updates();
    expectOrdered(updates, "completed");
    expect(r.calls.filter((c) => c.kind === "open").length).toBeGreaterThanOrEqual(2);
    // Exactly the log's events from the first one received: gap-free and without duplicates.
    const ids = updates.map((u) => u.eventId!);
    const log = listJobEventsAfter(server.ctx.store, id, ids[0]! - 1).map((e) => e.id);
    expect(ids).toEqual(log);
  });

  test("when the stream endpoint keeps failing it polls the job, and returns to the stream when it recovers", async () => {
    const server = start({ runJobs: false });
    const { id } = await upload(server.url, bigFile);
    let streamCalls = 0;
    let polls = 0;
    // The stream answers 503 for its first 4 attempts, then works again.
    const flaky: FetchLike = async (url, init) => {
      if (url.endsWith("/stream")) {
        streamCalls++;
        if (streamCalls <= 4) return new Response(JSON.stringify({ error: "down" }), { status: 503, headers: { "content-type": "application/json" } });
      } else polls++;
      return fetch(url, init);
    };
    const r = recorder();
    const client = new SSEClient(`${server.url}/api/jobs/${id}/stream`, { ...r.handlers, fetch: flaky, initialDelayMs: 20, pollIntervalMs: 50, streamRetryMs: 300 });
    for (let i = 0; i < 400 && client.mode !== "polling"; i++) await Bun.sleep(5);
    expect(client.mode).toBe("polling");
    server.ctx.runner.start();
    await client.done;
    expect(polls).toBeGreaterThan(0);
    expect(r.calls.filter((c) => c.kind === "mode").map((c) => c.mode)).toEqual(["polling", "stream"]);
    expect(r.calls.filter((c) => c.kind === "error").length).toBe(4);
    const updates = r.updates();
    expectOrdered(updates, "completed");
    expect(new Set(updates.map((u) => u.via))).toEqual(new Set(["poll", "stream"]));
  });

  test("a stream that never recovers: polling alone sees the job through", async () => {
    const server = start({ runJobs: false });
    const { id } = await upload(server.url, fixturePath("otlp/invalid/otlp2parquet-malformed.json"));
    const down: FetchLike = async (url, init) => (url.endsWith("/stream") ? new Response("no", { status: 502 }) : fetch(url, init));
    const r = recorder();
    const client = new SSEClient(`${server.url}/api/jobs/${id}/stream`, { ...r.handlers, fetch: down, initialDelayMs: 10, pollIntervalMs: 30, streamRetryMs: 200 });
    for (let i = 0; i < 400 && client.mode !== "polling"; i++) await Bun.sleep(5);
    server.ctx.runner.start();
    const last = await client.done;
    expect(last!.status).toBe("failed");
    expect(last!.error).toStartWith("Invalid JSON");
    expectOrdered(r.updates(), "failed");
    expect(r.updates().every((u) => u.via === "poll")).toBe(true);
  });

  test("an unknown job is a fatal error; close() stops everything", async () => {
    const server = start();
    const r = recorder();
    const client = new SSEClient({ baseUrl: server.url, jobId: "nope" }, r.handlers);
    expect(await client.done).toBeNull();
    expect(r.calls.map((c) => c.kind)).toEqual(["fatal"]);
    expect(r.calls[0]!.update!.error).toBe('HTTP 404: Job not found (No job has the id "nope".)');
    expect(() => new SSEClient("http://x.test/api/jobs/1")).toThrow(/Not a job stream URL/);
  });

  test("with a token: Bearer, or a stream token minted per connect; a wrong token is fatal", async () => {
    const TOKEN = "client-test-token-0123456789";
    const server = start({ token: TOKEN });
    const form = new FormData();
    form.append("file", Bun.file(fixturePath("otlp/otlp2parquet-traces.jsonl")), "t.jsonl");
    const { id } = (await (await fetch(`${server.url}/api/imports`, { method: "POST", body: form, headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { id: string };
    expect((await new SSEClient({ baseUrl: server.url, jobId: id }, { token: TOKEN }).done)!.status).toBe("completed");
    let minted = 0;
    const viaStreamToken = new SSEClient({ baseUrl: server.url, jobId: id }, {
      streamToken: () => {
        minted++;
        return mintStreamToken(server.url, id, TOKEN);
      },
    });
    expect((await viaStreamToken.done)!.status).toBe("completed");
    expect(minted).toBe(1);
    const r = recorder();
    expect(await new SSEClient({ baseUrl: server.url, jobId: id }, { ...r.handlers, token: "wrong-token-0123456789" }).done).toBeNull();
    expect(r.calls.map((c) => c.kind)).toEqual(["fatal"]);
  });

  test("runs in Node too (bundled for Node, run by node against the server)", async () => {
    const server = start({ runJobs: false });
    const { id } = await upload(server.url, bigFile);
    const out = join(dir, "client-node.mjs");
    const built = await Bun.build({ entrypoints: [join(import.meta.dir, "../src/client/sse-client.ts")], target: "node", format: "esm" });
    expect(built.success).toBe(true);
    await Bun.write(out, await built.outputs[0]!.text());
    const script = join(dir, "run.mjs");
    await Bun.write(
      script,
      `import { SSEClient } from ${JSON.stringify(out)};
       const seen = [];
       const c = new SSEClient(process.argv[2], { onProgress: (u) => seen.push(u.status), onCompleted: (u) => seen.push(u.status) });
       const last = await c.done;
       console.log(JSON.stringify({ last: last.status, spans: last.result.spans, progress: seen.filter((s) => s !== "completed").length }));`,
    );
    const proc = Bun.spawn(["node", script, `${server.url}/api/jobs/${id}/stream`], { stdout: "pipe", stderr: "pipe" });
    await Bun.sleep(200);
    server.ctx.runner.start();
    const [stdout, code] = [await new Response(proc.stdout).text(), await proc.exited];
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { last: string; spans: number; progress: number };
    expect(result.last).toBe("completed");
    expect(result.spans).toBe(80_000);
    expect(result.progress).toBeGreaterThan(0);
  }, 30_000);
});
