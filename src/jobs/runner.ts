import { setTimeout as delay } from "node:timers/promises";
import type { Store } from "../storage/database.ts";
import { claimNextJob } from "../storage/jobs/claim-next-job.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";
import { listRunningJobIds } from "../storage/jobs/list-running-job-ids.ts";
import { JobAbortedError, TaskError, toError } from "../util/errors.ts";
import type { Logger } from "../util/logger.ts";
import type { JobEventLog } from "./job-event-log.ts";
import { ProgressReporter } from "./progress-reporter.ts";
import type { TaskDefinition } from "./task.ts";
import { isTerminal, type Job } from "./types.ts";

export interface RunnerOptions {
  store: Store;
  events: JobEventLog;
  tasks: Record<string, TaskDefinition>;
  concurrency: number;
  logger: Logger;
  /** Minimum ms between two progress events of one job (default 100: about 10/s). */
  progressIntervalMs?: number;
  /** A job that was interrupted by crashes this many times is failed, not re-run. */
  maxAttempts?: number;
}

export type CancelOutcome =
  | { kind: "not-found" }
  | { kind: "finished"; job: Job }
  | { kind: "cancelled"; job: Job }
  | { kind: "stopping"; job: Job };

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * An in-process worker pool. It claims queued jobs in FIFO order whenever a slot
 * is free and something woke it (a new job, a finished job, start-up): there is
 * no polling loop. It knows nothing about HTTP; it reports every state change
 * through the JobEventLog.
 */
export class JobRunner {
  private readonly running = new Map<string, Running>();
  private accepting = false;
  private readonly log: Logger;

  constructor(private readonly opts: RunnerOptions) {
    this.log = opts.logger.child({ component: "runner" });
  }

  /** Requeues what a crash left running, then starts claiming. */
  start(): void {
    const maxAttempts = this.opts.maxAttempts ?? 3;
    for (const id of listRunningJobIds(this.opts.store)) {
      const row = getJob(this.opts.store, id)!;
      if (row.attempts >= maxAttempts) {
        this.log.warn("job failed: interrupted too often", { job: id, attempts: row.attempts });
        this.opts.events.record(id, {
          status: "failed",
          progress: row.progress,
          error: `Gave up after ${row.attempts} interrupted attempts`,
          details: "The server stopped while this job was running, every time it was tried.",
        });
        continue;
      }
      this.log.info("job requeued after an unclean stop", { job: id, attempts: row.attempts });
      this.opts.events.record(id, { status: "queued", progress: 0, phase: "requeued" });
    }
    this.accepting = true;
    this.wake();
  }

  /** Claims queued jobs while slots are free. Cheap; call it after enqueuing. */
  wake(): void {
    while (this.accepting && this.running.size < this.opts.concurrency) {
      const row = claimNextJob(this.opts.store);
      if (!row) return;
      this.execute(toJob(row));
    }
  }

  get runningCount(): number {
    return this.running.size;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /**
   * Cancels a job: a queued one at once; a running one through its AbortSignal,
   * resolving when it has stopped and discarded its work (or after `waitMs`).
   */
  async cancel(id: string, waitMs = 5000): Promise<CancelOutcome> {
    const row = getJob(this.opts.store, id);
    if (!row) return { kind: "not-found" };
    if (isTerminal(row.status)) return { kind: "finished", job: toJob(row) };
    const active = this.running.get(id);
    if (row.status === "queued" || !active) {
      // Not running in this process (queued, or left running by a dead one):
      // nothing is executing it, so discard and mark it here.
      if (row.status === "running") await this.discard(toJob(row));
      this.opts.events.record(id, { status: "cancelled", progress: row.progress });
      this.log.info("job cancelled", { job: id, was: row.status });
      return { kind: "cancelled", job: toJob(getJob(this.opts.store, id)!) };
    }
    active.controller.abort(new JobAbortedError("cancel"));
    const settled = await Promise.race([active.done.then(() => true), delay(waitMs).then(() => false)]);
    const job = toJob(getJob(this.opts.store, id)!);
    return settled ? { kind: "cancelled", job } : { kind: "stopping", job };
  }

  /**
   * Stops claiming; running jobs are aborted, discard their work and go back to
   * the queue, to run again after the next start.
   */
  async stop(waitMs = 8000): Promise<void> {
    this.accepting = false;
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort(new JobAbortedError("shutdown"));
    await Promise.race([Promise.all(all.map((r) => r.done)), delay(waitMs)]);
  }

  private execute(job: Job): void {
    const controller = new AbortController();
    const log = this.opts.logger.child({ job: job.id, kind: job.kind });
    const done = this.run(job, controller, log).finally(() => {
      this.running.delete(job.id);
      this.wake();
    });
    this.running.set(job.id, { controller, done });
  }

  private async run(job: Job, controller: AbortController, log: Logger): Promise<void> {
    const { events } = this.opts;
    const task = this.opts.tasks[job.kind];
    const started = performance.now();
    events.record(job.id, { status: "running", progress: 0, phase: "starting" });
    log.info("job started", { attempt: job.attempts });
    const reporter = new ProgressReporter((state) => events.record(job.id, state), {
      intervalMs: this.opts.progressIntervalMs ?? 100,
    });
    try {
      if (!task) throw new TaskError(`No task handles jobs of kind "${job.kind}"`);
      const result = await task.run(
        { input: job.input, options: job.options },
        { job, signal: controller.signal, logger: log, progress: (u) => reporter.report(u) },
      );
      controller.signal.throwIfAborted();
      reporter.flush();
      reporter.dispose();
      events.record(job.id, { status: "completed", progress: 100, result });
      log.info("job completed", { ms: Math.round(performance.now() - started) });
    } catch (thrown) {
      reporter.dispose();
      const reason = controller.signal.aborted ? controller.signal.reason : null;
      await this.discard(job);
      const progress = reporter.current.progress;
      if (reason instanceof JobAbortedError && reason.reason === "shutdown") {
        events.record(job.id, { status: "queued", progress: 0, phase: "requeued" });
        log.info("job interrupted by shutdown; requeued");
      } else if (reason instanceof JobAbortedError) {
        events.record(job.id, { status: "cancelled", progress });
        log.info("job cancelled", { ms: Math.round(performance.now() - started) });
      } else {
        const err = toError(thrown);
        const details = err instanceof TaskError ? err.details : (err.stack ?? null);
        events.record(job.id, { status: "failed", progress, error: err.message, details });
        if (err instanceof TaskError) log.info("job failed", { error: err.message });
        else log.error("job failed unexpectedly", { error: err.message, stack: err.stack });
      }
    }
  }

  private async discard(job: Job): Promise<void> {
    try {
      await this.opts.tasks[job.kind]?.discard?.(job);
    } catch (thrown) {
      this.opts.logger.error("discarding a job's work failed", { job: job.id, error: toError(thrown).message });
    }
  }
}
