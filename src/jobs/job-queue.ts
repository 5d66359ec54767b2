import { existsSync, rmSync } from "node:fs";
import { inputFilePath } from "../import/input-path.ts";
import type { Store } from "../storage/database.ts";
import { deleteJobRow } from "../storage/jobs/delete-job.ts";
import { deleteJobSpans } from "../storage/spans/delete-job-spans.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import { insertJob, type NewJob } from "../storage/jobs/insert-job.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";
import type { JobEventLog } from "./job-event-log.ts";
import type { JobRunner } from "./runner.ts";
import { isTerminal, type Job } from "./types.ts";

export type RetryOutcome =
  | { kind: "not-found" }
  | { kind: "not-retryable"; job: Job }
  | { kind: "input-gone"; job: Job }
  | { kind: "queued"; job: Job };

export type DeleteOutcome = { kind: "not-found" } | { kind: "active"; job: Job } | { kind: "deleted"; spans: number };

/** Adds, retries and deletes jobs; every change goes through the event log, then wakes the runner. */
export class JobQueue {
  constructor(
    private readonly store: Store,
    private readonly events: JobEventLog,
    private readonly runner: JobRunner,
  ) {}

  enqueue(job: NewJob): Job {
    const row = insertJob(this.store, job);
    // Every job has at least one event, so a stream always has a snapshot to send.
    this.events.record(row.id, { status: "queued", progress: 0 });
    this.runner.wake();
    return toJob(getJob(this.store, row.id)!);
  }

  /** Puts a failed or cancelled job back in the queue; its spooled file must still be there. */
  retry(id: string): RetryOutcome {
    const row = getJob(this.store, id);
    if (!row) return { kind: "not-found" };
    const job = toJob(row);
    if (job.status !== "failed" && job.status !== "cancelled") return { kind: "not-retryable", job };
    if (job.input && !existsSync(this.inputPath(job.input.path))) return { kind: "input-gone", job };
    this.events.record(id, { status: "queued", progress: 0, phase: "retry" });
    this.runner.wake();
    return { kind: "queued", job: toJob(getJob(this.store, id)!) };
  }

  /** Deletes a finished job, its events and its spooled file; its spans too if asked. */
  delete(id: string, opts: { spans: boolean }): DeleteOutcome {
    const row = getJob(this.store, id);
    if (!row) return { kind: "not-found" };
    const job = toJob(row);
    if (!isTerminal(job.status)) return { kind: "active", job };
    const spans = opts.spans ? deleteJobSpans(this.store, id) : 0;
    deleteJobRow(this.store, id);
    if (job.input) rmSync(this.inputPath(job.input.path), { force: true });
    return { kind: "deleted", spans };
  }

  private inputPath(p: string): string {
    return inputFilePath(this.store.dataDir, p);
  }
}
