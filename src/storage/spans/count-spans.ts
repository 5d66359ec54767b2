import type { Store } from "../database.ts";

/** Spans stored by one job, or in all. */
export function countSpans(store: Store, jobId?: string): number {
  const row = (jobId === undefined
    ? store.sqlite.query("SELECT count(*) AS n FROM spans").get()
    : store.sqlite.query("SELECT count(*) AS n FROM spans WHERE job_id = ?").get(jobId)) as { n: number };
  return row.n;
}
