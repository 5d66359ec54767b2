import { inArray } from "drizzle-orm";
import type { Store } from "../database.ts";
import { jobs, type JobRow } from "../schema.ts";

/** The jobs of these ids that exist, newest first. */
export function getJobs(store: Store, ids: string[]): JobRow[] {
  if (ids.length === 0) return [];
  return store.db
    .select()
    .from(jobs)
    .where(inArray(jobs.id, ids))
    .all()
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
