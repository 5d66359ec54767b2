import { eq } from "drizzle-orm";
import type { Store } from "../database.ts";
import { jobEvents, jobs } from "../schema.ts";
import type { JobEvent, JobEventData } from "../../jobs/types.ts";

/**
 * Appends an event to the log and applies it to the job row, in one transaction:
 * the row and the log can never disagree. Returns the stored event with its id.
 */
export function appendJobEvent(store: Store, jobId: string, data: JobEventData, now = Date.now()): JobEvent {
  const type = data.status === "queued" || data.status === "running" ? "progress" : data.status;
  return store.db.transaction((tx) => {
    const row = tx
      .insert(jobEvents)
      .values({ jobId, type, data: JSON.stringify(data), createdAt: now })
      .returning({ id: jobEvents.id })
      .get();
    const base = { status: data.status, progress: data.progress, updatedAt: now };
    switch (data.status) {
      case "queued":
        // Queued again (retry, restart): the previous outcome no longer applies.
        tx.update(jobs)
          .set({ ...base, state: JSON.stringify(data), result: null, error: null, details: null, finishedAt: null })
          .where(eq(jobs.id, jobId))
          .run();
        break;
      case "running":
        tx.update(jobs).set({ ...base, state: JSON.stringify(data) }).where(eq(jobs.id, jobId)).run();
        break;
      case "completed":
        tx.update(jobs)
          .set({ ...base, state: null, result: JSON.stringify(data.result), finishedAt: now })
          .where(eq(jobs.id, jobId))
          .run();
        break;
      case "failed":
        tx.update(jobs)
          .set({ ...base, state: null, error: data.error, details: data.details, finishedAt: now })
          .where(eq(jobs.id, jobId))
          .run();
        break;
      case "cancelled":
        tx.update(jobs).set({ ...base, state: null, finishedAt: now }).where(eq(jobs.id, jobId)).run();
        break;
    }
    return { id: row.id, jobId, type, data, at: now } as JobEvent;
  });
}
