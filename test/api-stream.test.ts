/**
 * The job stream against the real server on a random port, read with a real
 * SSE client (the `eventsource` package).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EventSource } from "eventsource";
import { join } from "node:path";
import { jobTopic } from "../src/context.ts";
import { listJobEventsAfter } from "../src/storage/jobs/list-job-events.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { fixturePath, EXPECTED } from "./helpers/fixtures.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";

interface Received {
  type: string;
  id: string;
  data: Record<string, unknown>;
  at: number;
}

/** Collects a stream's events until a terminal event, then waits for the server to end the stream. */
function follow(url: string): { events: Received[]; done: Promise<{ closedAfterMs: number }>; es: EventSource } {
  const es = new EventSource(url);
  const events: Received[] = [];
  const done = new Promise<{ closedAfterMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      es.close();
      reject(new Error(`stream did not finish; got ${events.map((e) => e.type).join(",")}`));
    }, 30_000);
    for (const type of ["progress", "completed", "failed", "cancelled"]) {
      es.addEventListener(type, (e) => {
        events.push({ type, id: e.lastEventId, data: JSON.parse(e.data), at: performance.now() });
      });
    }
    es.onerror = () => {
      // The server ended the stream; the client would reconnect, so close it.
      const last = events.at(-1);
      if (last && last.type !== "progress") {
        clearTimeout(timer);
        es.close();
        resolve({ closedAfterMs: performance.now() - last.at });
      }
    };
  });
  return { events, done, es };
}

let server: TestServer;
let bigFile: string;
let bigSpans: number;

beforeAll(async () => {
  server = startTestServer({ workers: 1, heartbeatSeconds: 0.2, idleTimeoutSeconds: 1 });
  bigFile = join(server.dataDir, "big.jsonl");
  bigSpans = (await writeOtlpJsonLines(bigFile, { spans: 60_000 })).spans;
});
afterAll(() => server.dispose());

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

describe("GET /api/jobs/:id/stream", () => {
  test("events arrive in order with monotonic progress, then completed, then the stream ends", async () => {
    const job = await upload(server.url, bigFile);
    const { events, done } = follow(`${server.url}/api/jobs/${job.id}/stream`);
    const { closedAfterMs } = await done;
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const progress = events.map((e) => e.data.progress as number);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(events.filter((e) => e.type === "progress").length).toBeGreaterThan(2);
    for (const e of events) {
      expect(typeof e.data.status).toBe("string");
      expect(typeof e.data.progress).toBe("number");
    }
    const last = events.at(-1)!;
    expect(last.type).toBe("completed");
    expect(last.data.progress).toBe(100);
    expect((last.data.result as { inserted: number }).inserted).toBe(bigSpans);
    // "within about 100 ms": generous for a loaded CI machine, still far below a timeout.
    expect(closedAfterMs).toBeLessThan(500);
  });

  test("the first frame carries retry: and every event an id:", async () => {
    const job = await upload(server.url, fixturePath("otlp/proto-example.json"));
    const res = await fetch(`${server.url}/api/jobs/${job.id}/stream`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text(); // ends: the job finishes, the server closes
    expect(text.startsWith("retry: 3000\n")).toBe(true);
    const frames = text.split("\n\n").filter((f) => f.includes("event:"));
    for (const f of frames) expect(f).toMatch(/^(retry: \d+\n)?id: \d+\nevent: \w+\ndata: /);
  });

  test("Last-Event-ID replays exactly the events after it: no gap, no duplicate", async () => {
    const job = await upload(server.url, bigFile);
    // Cut the stream after a few events, then resume from the last one received.
    const first = new EventSource(`${server.url}/api/jobs/${job.id}/stream`);
    const got: { id: number; type: string }[] = [];
    await new Promise<void>((resolve) => {
      for (const t of ["progress", "completed"]) {
        first.addEventListener(t, (e) => {
          got.push({ id: Number(e.lastEventId), type: t });
          if (got.length === 3 || t === "completed") {
            first.close();
            resolve();
          }
        });
      }
    });
    const resumeFrom = got.at(-1)!.id;
    const rest = follow(`${server.url}/api/jobs/${job.id}/stream?lastEventId=${resumeFrom}`);
    await rest.done;
    const seen = [...got.map((g) => g.id), ...rest.events.map((e) => Number(e.id))];
    const log = listJobEventsAfter(server.ctx.store, job.id, 0).map((e) => e.id);
    // Connecting fresh starts at the newest event, so compare from there on.
    expect(seen).toEqual(log.slice(log.indexOf(seen[0]!)));
    expect(rest.events.at(-1)!.type).toBe("completed");
  });

  test("the Last-Event-ID header works the same as the query parameter", async () => {
    const job = await upload(server.url, fixturePath("otlp/proto-example.json"));
    await waitFor(() => listJobEventsAfter(server.ctx.store, job.id, 0).some((e) => e.type === "completed"));
    const log = listJobEventsAfter(server.ctx.store, job.id, 0);
    const res = await fetch(`${server.url}/api/jobs/${job.id}/stream`, { headers: { "Last-Event-ID": String(log[0]!.id) } });
    const ids = [...(await res.text()).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(log.slice(1).map((e) => e.id));
  });

  test("a finished job sends its terminal event at once and the stream ends", async () => {
    const job = await upload(server.url, fixturePath(`otlp/otlp2parquet-traces.jsonl`));
    await waitFor(() => listJobEventsAfter(server.ctx.store, job.id, 0).some((e) => e.type === "completed"));
    const { events, done } = follow(`${server.url}/api/jobs/${job.id}/stream`);
    await done;
    expect(events.map((e) => e.type)).toEqual(["completed"]);
    const result = events[0]!.data.result as { traces: number; spans: number; services: string[] };
    const want = EXPECTED["otlp/otlp2parquet-traces.jsonl"]!;
    expect(result.traces).toBe(want.traces!);
    expect(result.spans).toBe(want.spans!);
    expect(result.services).toEqual(want.services!);
  });

  test("an unknown job gives 404 with JSON, not a stream", async () => {
    const res = await fetch(`${server.url}/api/jobs/no-such-job/stream`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({ error: "Job not found", details: 'No job has the id "no-such-job".' });
    const es = new EventSource(`${server.url}/api/jobs/no-such-job/stream`);
    const code = await new Promise<number | undefined>((resolve) => {
      es.onerror = (e) => {
        es.close();
        resolve(e.code);
      };
    });
    expect(code).toBe(404);
  });

});

describe("streams of a job that stays queued (no runner)", () => {
  let idle: TestServer;
  beforeAll(() => {
    idle = startTestServer({ runJobs: false, heartbeatSeconds: 0.2, idleTimeoutSeconds: 1 });
  });
  afterAll(() => idle.dispose());

  test("a disconnect releases the subscription at once, even when the job never sends again", async () => {
    const queued = await upload(idle.url, fixturePath("otlp/proto-example.json"));
    expect(queued.status).toBe("queued");
    const es = new EventSource(`${idle.url}/api/jobs/${queued.id}/stream`);
    await new Promise<void>((resolve) => es.addEventListener("progress", () => resolve()));
    expect(idle.ctx.broker.count(jobTopic(queued.id))).toBe(1);
    expect(idle.hub.size).toBe(1);
    es.close();
    await waitFor(() => idle.ctx.broker.count(jobTopic(queued.id)) === 0, 1000);
    await waitFor(() => idle.hub.size === 0, 1000);
    expect(idle.ctx.broker.count()).toBe(0);
  });

  test("heartbeats keep an idle stream alive past the server's idle timeout", async () => {
    const queued = await upload(idle.url, fixturePath("otlp/proto-example.json"));
    const res = await fetch(`${idle.url}/api/jobs/${queued.id}/stream`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const started = performance.now();
    // idleTimeoutSeconds is 1 on this server; read for 1.5 s.
    while (performance.now() - started < 1500) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toStartWith("retry: 3000\nid: ");
    expect(text.match(/: heartbeat\n\n/g)!.length).toBeGreaterThanOrEqual(5);
    // Still open: cancelling the job delivers the terminal event on this same stream, which then ends.
    const cancel = await fetch(`${idle.url}/api/jobs/${queued.id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(200);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain("event: cancelled\ndata: {\"status\":\"cancelled\"");
  });
});

describe("POST /api/jobs/:id/cancel", () => {
  test("a running import stops within 1 s and leaves no spans behind", async () => {
    const before = countSpans(server.ctx.store);
    const job = await upload(server.url, bigFile, { format: "otlp-jsonl" });
    const stream = follow(`${server.url}/api/jobs/${job.id}/stream`);
    await waitFor(() => stream.events.some((e) => (e.data.spans as number) > 5000), 10_000);
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/jobs/${job.id}/cancel`, { method: "POST" });
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("cancelled");
    expect(elapsed).toBeLessThan(1000);
    await stream.done;
    expect(stream.events.at(-1)!.type).toBe("cancelled");
    expect(countSpans(server.ctx.store, job.id)).toBe(0);
    expect(countSpans(server.ctx.store)).toBe(before);
    // The trace summaries of what was removed are gone too.
    const orphans = server.ctx.store.sqlite.query("SELECT count(*) AS n FROM traces t WHERE NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id)").get() as { n: number };
    expect(orphans.n).toBe(0);
    const again = await fetch(`${server.url}/api/jobs/${job.id}/cancel`, { method: "POST" });
    expect(again.status).toBe(409);
  });
});
