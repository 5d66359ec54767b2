/**
 * The SSE contract of GET /api/jobs/:id/stream on a traceport process run by
 * TRACEPORT_TEST_RUNTIME, read with eventsource-parser (and the `eventsource`
 * client where a real EventSource's view matters).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EventSource } from "eventsource";
import { join } from "node:path";
import { fixturePath } from "../helpers/fixtures.ts";
import { writeOtlpJsonLines } from "../helpers/generate-otlp.ts";
import { hasTerminal, metric, readSse, settled, uploadRaw, waitFor, type SseEvent } from "../helpers/remote.ts";
import { selectedRuntime, startServerProcess, stopAllServerProcesses, type ServerProcess } from "../helpers/server-process.ts";

const runtime = selectedRuntime();
let server: ServerProcess;
let bigFile: string;
let bigSpans: number;

beforeAll(async () => {
  // One worker, so a second job waits in the queue; heartbeats every 200 ms.
  server = await startServerProcess({ args: ["--workers", "1", "--heartbeat", "0.2"] });
  bigFile = join(server.dataDir, "big.jsonl");
  bigSpans = (await writeOtlpJsonLines(bigFile, { spans: 60_000 })).spans;
}, 90_000);
afterAll(() => stopAllServerProcesses());

const stream = (id: string) => `${server.base}/api/jobs/${id}/stream`;
const TERMINAL = ["completed", "failed", "cancelled"];

/** The job's whole event log, as the stream replays it after Last-Event-ID 0 once the job has finished. */
async function fullLog(id: string): Promise<SseEvent[]> {
  const read = await readSse(stream(id), { headers: { "last-event-id": "0" } });
  expect(read.ended).toBe(true);
  return read.events;
}

function expectWellFormed(events: SseEvent[], terminal: string): void {
  const ids = events.map((e) => e.id);
  for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
  expect(events.filter((e) => TERMINAL.includes(e.type)).map((e) => e.type)).toEqual([terminal]);
  expect(events.at(-1)!.type).toBe(terminal);
  expect(events.slice(0, -1).every((e) => e.type === "progress")).toBe(true);
  for (const e of events) {
    expect(typeof e.data.status).toBe("string");
    expect(typeof e.data.progress).toBe("number");
  }
}

describe(`traceport under ${runtime}: the job event stream`, () => {
  test("progress events, then exactly one completed; ids increase; retry: first; the server ends the stream", async () => {
    const id = await uploadRaw(server.base, bigFile);
    const read = await readSse(stream(id));
    expect(read.status).toBe(200);
    expect(read.contentType).toStartWith("text/event-stream");
    expect(read.ended).toBe(true);
    expect(read.text).toStartWith("retry: 3000\n");
    expect(read.retries).toEqual([3000]);
    expectWellFormed(read.events, "completed");
    expect(read.events.filter((e) => e.type === "progress").length).toBeGreaterThan(2);
    const progress = read.events.map((e) => e.data.progress as number);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    const last = read.events.at(-1)!;
    expect(last.data.progress).toBe(100);
    expect((last.data.result as { spans: number; inserted: number }).spans).toBe(bigSpans);
    expect((last.data.result as { spans: number; inserted: number }).inserted).toBe(bigSpans);
    // What the live stream sent is exactly the log from the first event it sent.
    const log = await fullLog(id);
    expect(read.events).toEqual(log.slice(log.findIndex((e) => e.id === read.events[0]!.id)));
  });

  test("resuming with Last-Event-ID (header, then query) gives exactly the events after it: no gap, no duplicate", async () => {
    const id = await uploadRaw(server.base, bigFile, { name: "resume.jsonl" });
    // Three cuts: a fresh stream, a resume by header, a resume by ?lastEventId=, each dropped after a few events.
    const first = await readSse(stream(id), { until: (r) => r.events.length >= 3 || hasTerminal(r) });
    expect(first.events.length).toBeGreaterThan(0);
    const second = await readSse(stream(id), { headers: { "last-event-id": String(first.events.at(-1)!.id) }, until: (r) => r.events.length >= 3 || hasTerminal(r) });
    const afterSecond = (second.events.at(-1) ?? first.events.at(-1)!).id;
    const third = await readSse(`${stream(id)}?lastEventId=${afterSecond}`);
    expect(third.ended).toBe(true);
    const seen = [...first.events, ...second.events, ...third.events];
    expectWellFormed(seen, "completed");
    const log = await fullLog(id);
    expect(seen).toEqual(log.slice(log.findIndex((e) => e.id === seen[0]!.id)));
    expect(log.at(-1)!.type).toBe("completed");
  });

  test("a finished job's stream replays to its terminal event and ends", async () => {
    const id = await uploadRaw(server.base, fixturePath("otlp/otlp2parquet-traces.jsonl"));
    expect((await settled(server.base, id)).status).toBe("completed");
    const fresh = await readSse(stream(id));
    expect(fresh.ended).toBe(true);
    expect(fresh.events.map((e) => e.type)).toEqual(["completed"]);
    expect((fresh.events[0]!.data.result as { spans: number }).spans).toBe(19);
    const log = await fullLog(id);
    expectWellFormed(log, "completed");
    expect(log.at(-1)).toEqual(fresh.events[0]!);
    // From the middle of the log: the rest of it, to the end.
    const mid = log[Math.floor(log.length / 2)]!.id;
    const rest = await readSse(stream(id), { headers: { "last-event-id": String(mid) } });
    expect(rest.events).toEqual(log.filter((e) => e.id > mid));
    // Resuming after the terminal event: the stream opens and ends at once, with nothing in it.
    const after = await readSse(stream(id), { headers: { "last-event-id": String(log.at(-1)!.id) }, timeoutMs: 5_000 });
    expect(after.ended).toBe(true);
    expect(after.events).toEqual([]);
  });

  test("a failed import's stream ends with one failed event carrying the error", async () => {
    const id = await uploadRaw(server.base, fixturePath("otlp/invalid/otlp2parquet-malformed.json"));
    await settled(server.base, id);
    const log = await fullLog(id);
    expectWellFormed(log, "failed");
    expect(log.at(-1)!.data.error).toBe('Invalid JSON at line 21, column 15: unexpected "/"');
  });

  test("an unknown job: 404 with JSON, and a real EventSource sees the 404", async () => {
    const read = await readSse(stream("no-such-job"));
    expect(read.status).toBe(404);
    expect(read.contentType).toContain("application/json");
    expect(JSON.parse(read.text)).toEqual({ error: "Job not found", details: 'No job has the id "no-such-job".' });
    const es = new EventSource(stream("no-such-job"));
    const code = await new Promise<number | undefined>((resolve) => {
      es.onerror = (e) => {
        es.close();
        resolve(e.code);
      };
    });
    expect(code).toBe(404);
  });

  describe("on a server that runs no imports (--workers 0), so a job stays queued however fast the machine", () => {
    let idle: ServerProcess;
    beforeAll(async () => {
      idle = await startServerProcess({ args: ["--workers", "0", "--heartbeat", "0.2"] });
    }, 90_000);
    afterAll(() => idle.stop());
    const idleStream = (id: string) => `${idle.base}/api/jobs/${id}/stream`;

    test("heartbeat comments keep a quiet stream alive; the cancelled event still arrives on it", async () => {
      const queued = await uploadRaw(idle.base, fixturePath("otlp/proto-example.json"));
      let cancelSent = false;
      const read = await readSse(idleStream(queued), {
        onChunk: (r) => {
          // After 0.8 s of a queued job (nothing to report), cancel it.
          if (!cancelSent && r.comments.length >= 4) {
            cancelSent = true;
            void fetch(`${idle.base}/api/jobs/${queued}/cancel`, { method: "POST" });
          }
        },
        timeoutMs: 15_000,
      });
      expect(read.ended).toBe(true);
      expect(read.comments.filter((c) => c === "heartbeat").length).toBeGreaterThanOrEqual(4);
      expect(read.events[0]!.data.status).toBe("queued");
      expect(read.events.at(-1)!.type).toBe("cancelled");
      expect(read.events.filter((e) => TERMINAL.includes(e.type)).length).toBe(1);
      expect((await settled(idle.base, queued)).status).toBe("cancelled");
    });

    test("after the clients close their streams, the server's SSE connection gauge returns to 0, and the job is not touched", async () => {
      await waitFor("no stream open", async () => (await metric(idle.base, "traceport_sse_connections")) === 0, 5_000);
      const id = await uploadRaw(idle.base, fixturePath("otlp/proto-example.json"), { name: "watched.json" });
      const clients = Array.from({ length: 5 }, () => new EventSource(idleStream(id)));
      try {
        await Promise.all(clients.map((es) => new Promise<void>((resolve) => es.addEventListener("progress", () => resolve(), { once: true }))));
        expect(await metric(idle.base, "traceport_sse_connections")).toBe(5);
        expect(await metric(idle.base, "traceport_sse_subscribers")).toBe(5);
      } finally {
        for (const es of clients) es.close();
      }
      await waitFor("the gauge to return to 0", async () => (await metric(idle.base, "traceport_sse_connections")) === 0, 5_000);
      expect(await metric(idle.base, "traceport_sse_subscribers")).toBe(0);
      // It was only watched: closing the streams leaves it queued, not cancelled.
      const job = (await (await fetch(`${idle.base}/api/jobs/${id}`)).json()) as { status: string };
      expect(job.status).toBe("queued");
    });
  });
});
