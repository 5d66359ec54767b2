import { and, desc, eq, gt, lt, type SQL } from "drizzle-orm";
import type { Store } from "../database.ts";
import { jobs, type JobRow } from "../schema.ts";
import type { JobStatus } from "../../jobs/types.ts";

export interface ListJobsQuery {
  status?: JobStatus;
  limit: number;
  /** Return jobs older than this id (ids sort by creation time). */
  before?: string;
  /** Return jobs newer than this id. */
  after?: string;
}

/** Newest first, keyset-paginated on the id. */
export function listJobs(store: Store, q: ListJobsQuery): JobRow[] {
  const where: SQL[] = [];
  if (q.status) where.push(eq(jobs.status, q.status));
  if (q.before) where.push(lt(jobs.id, q.before));
  if (q.after) where.push(gt(jobs.id, q.after));
  return store.db
    .select()
    .from(jobs)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(jobs.id))
    .limit(q.limit)
    .all();
}
