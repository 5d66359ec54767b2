import type { Store } from "../storage/database.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import { insertJob, type NewJob } from "../storage/jobs/insert-job.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";
import type { JobEventLog } from "./job-event-log.ts";
import type { JobRunner } from "./runner.ts";
import type { Job } from "./types.ts";

/** Adds jobs: the row, its first (queued) event, then a wake-up for the runner. */
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
}
