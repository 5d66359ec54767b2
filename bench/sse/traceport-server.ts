/**
 * traceport itself, as deployed: the real server (Elysia, the SSE hub, the
 * broker, the event log in SQLite). On "publish" it records a progress event
 * for one job through the same JobEventLog an import uses; the stream route
 * writes it to every subscriber.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/config/settings.ts";
import { startServer } from "../../src/server.ts";
import { silentLogger } from "../../src/util/logger.ts";
import { now, type OrchestratorToServer } from "./protocol.ts";

const dataDir = mkdtempSync(join(tmpdir(), "traceport-fanout-"));
const config = { ...resolveConfig({}, {}), port: 0, dataDir, maxSseConnections: 100_000 };
// BENCH_IDLE_TIMEOUT overrides the server's idle timeout for ordinary requests (an experiment: 0 turns it off).
const server = startServer(config, silentLogger, { runJobs: false, idleTimeoutSeconds: Number(process.env.BENCH_IDLE_TIMEOUT ?? 60) });
const job = server.ctx.queue.enqueue({ kind: "import", input: { path: "none", name: "fanout", size: 1, format: "auto" }, options: {} });

process.on("message", (m: OrchestratorToServer) => {
  if (m.type === "publish") {
    // The stamp is taken as the update is recorded: its write to SQLite is part of the measured latency.
    server.ctx.events.record(job.id, { status: "running", progress: m.seq % 100, phase: "importing", bt: now(), seq: m.seq } as never);
    process.send!({ type: "published", seq: m.seq });
  } else if (m.type === "exit") {
    void server.stop().then(() => process.exit(0));
  }
});
process.send!({ type: "ready", port: server.port, path: `/api/jobs/${job.id}/stream` });
