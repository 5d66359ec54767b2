import { and, asc, desc, eq, gt } from "drizzle-orm";
import type { Store } from "../database.ts";
import { jobEvents } from "../schema.ts";
import type { JobEvent } from "../../jobs/types.ts";
import { toJobEvent } from "./job-mapper.ts";

/** The job's events with an id greater than `afterId`, oldest first. */
export function listJobEventsAfter(store: Store, jobId: string, afterId: number): JobEvent[] {
  return store.db
    .select()
    .from(jobEvents)
    .where(and(eq(jobEvents.jobId, jobId), gt(jobEvents.id, afterId)))
    .orderBy(asc(jobEvents.id))
    .all()
    .map(toJobEvent);
}

/** The job's newest event: it is the job's current state. */
export function latestJobEvent(store: Store, jobId: string): JobEvent | undefined {
  const row = store.db.select().from(jobEvents).where(eq(jobEvents.jobId, jobId)).orderBy(desc(jobEvents.id)).limit(1).get();
  return row ? toJobEvent(row) : undefined;
}
