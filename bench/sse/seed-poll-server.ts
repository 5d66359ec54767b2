/**
 * The seed's design, for comparison: every SSE connection polls the job's row
 * once a second and sends it when it changed. Same store (traceport's schema,
 * SQLite in WAL), same job row, same frames; raw prepared statements (cheaper
 * than the seed's ORM, so the comparison favours the seed).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/storage/database.ts";
import { insertJob } from "../../src/storage/jobs/insert-job.ts";
import { now, type OrchestratorToServer } from "./protocol.ts";

const store = openStore(mkdtempSync(join(tmpdir(), "traceport-seed-")));
const row = insertJob(store, { kind: "import", input: { path: "none", name: "fanout", size: 1, format: "auto" }, options: {} });
const jobId = row.id;
const select = store.sqlite.prepare("SELECT status, progress, state, updated_at FROM jobs WHERE id = ?");
const update = store.sqlite.prepare("UPDATE jobs SET status = 'running', progress = ?, state = ?, updated_at = ? WHERE id = ?");
const encoder = new TextEncoder();

const server = Bun.serve({
  port: 0,
  idleTimeout: 0,
  fetch(req) {
    let timer: ReturnType<typeof setInterval> | null = null;
    let lastUpdated = -1;
    let id = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode("retry: 3000\n\n"));
        timer = setInterval(() => {
          const r = select.get(jobId) as { status: string; progress: number; state: string; updated_at: number };
          if (r.updated_at === lastUpdated) return;
          lastUpdated = r.updated_at;
          try {
            c.enqueue(encoder.encode(`id: ${++id}\nevent: progress\ndata: ${r.state}\n\n`));
          } catch {
            if (timer) clearInterval(timer);
          }
        }, 1000);
        req.signal.addEventListener("abort", () => timer && clearInterval(timer));
      },
      cancel() {
        if (timer) clearInterval(timer);
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  },
});

let counter = 0;
process.on("message", (m: OrchestratorToServer) => {
  if (m.type === "publish") {
    const state = JSON.stringify({ status: "running", progress: m.seq % 100, phase: "importing", bt: now(), seq: m.seq });
    update.run(m.seq % 100, state, Date.now() * 1000 + (++counter % 1000), jobId);
    process.send!({ type: "published", seq: m.seq });
  } else if (m.type === "exit") {
    server.stop(true);
    process.exit(0);
  }
});
process.send!({ type: "ready", port: server.port!, path: "/stream" });
