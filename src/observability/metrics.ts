import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { JOBS_TOPIC, jobTopic, type AppContext } from "../context.ts";
import { JOB_STATUSES, type JobEvent } from "../jobs/types.ts";
import type { SseHub } from "../realtime/sse-connection.ts";
import { platform } from "../runtime/index.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import { VERSION } from "../version.ts";

/**
 * Prometheus metrics (prom-client, its own registry: no global state). Gauges
 * are read at scrape time from the store, the runner and the SSE hub; counters
 * and histograms follow the job events.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly unsubscribe: () => void;

  private readonly spansImported = new Counter({ name: "traceport_spans_imported_total", help: "Spans stored by completed imports (duplicates not counted).", registers: [this.registry] });
  private readonly jobsFinished = new Counter({ name: "traceport_jobs_finished_total", help: "Jobs that reached an end state, by status.", labelNames: ["status"], registers: [this.registry] });
  private readonly importDuration = new Histogram({
    name: "traceport_import_duration_seconds",
    help: "Time from start to end of an import attempt, by end status.",
    labelNames: ["status"],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  private readonly importBytes = new Histogram({
    name: "traceport_import_bytes",
    help: "Size of imported files (as uploaded), by end status.",
    labelNames: ["status"],
    buckets: [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10],
    registers: [this.registry],
  });
  readonly deliveryLag = new Histogram({
    name: "traceport_event_delivery_lag_seconds",
    help: "Time from a job event being stored to its write into every SSE connection that follows it (events with subscribers only).",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(ctx: AppContext, hub: SseHub) {
    const reg = [this.registry];
    new Gauge({
      name: "traceport_jobs",
      help: "Jobs in the store, by status.",
      labelNames: ["status"],
      registers: reg,
      collect() {
        const rows = ctx.store.sqlite.query("SELECT status, count(*) AS n FROM jobs GROUP BY status").all() as { status: string; n: number }[];
        const counts = new Map(rows.map((r) => [r.status, r.n]));
        for (const s of JOB_STATUSES) this.set({ status: s }, counts.get(s) ?? 0);
      },
    });
    new Gauge({ name: "traceport_imports_running", help: "Imports running now.", registers: reg, collect() { this.set(ctx.runner.runningCount); } });
    new Gauge({ name: "traceport_sse_connections", help: "Open SSE connections (API and page streams).", registers: reg, collect() { this.set(hub.size); } });
    new Gauge({ name: "traceport_sse_subscribers", help: "Job-event subscriptions held by open streams.", registers: reg, collect() { this.set(ctx.broker.count()); } });
    new Gauge({
      name: "traceport_build_info",
      help: "Always 1; the labels say what is running: traceport's version, the runtime and its version, the SQLite driver.",
      labelNames: ["version", "runtime", "runtime_version", "sqlite_driver"],
      registers: reg,
    }).set({ version: VERSION, runtime: platform.runtime, runtime_version: platform.version, sqlite_driver: ctx.store.sqlite.driver }, 1);
    new Gauge({ name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", registers: reg, collect() { this.set(process.memoryUsage.rss()); } });

    // Observers run after the broker has published (synchronously) to every
    // stream, so now minus the stored time is the time to reach them all.
    // Measured once per event, not per connection: nothing added to the fan-out.
    this.unsubscribe = ctx.observe((e: JobEvent) => {
      if (ctx.broker.count(jobTopic(e.jobId)) + ctx.broker.count(JOBS_TOPIC) > 0) this.deliveryLag.observe(Math.max(0, Date.now() - e.at) / 1000);
      if (e.type === "progress") return;
      const row = getJob(ctx.store, e.jobId);
      const status = e.type;
      this.jobsFinished.inc({ status });
      if (row?.startedAt) this.importDuration.observe({ status }, Math.max(0, e.at - row.startedAt) / 1000);
      if (row?.inputSize !== undefined && row.inputSize !== null) this.importBytes.observe({ status }, row.inputSize);
      if (e.type === "completed") this.spansImported.inc(((e.data.result as { inserted?: number }) ?? {}).inserted ?? 0);
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.unsubscribe();
  }
}
