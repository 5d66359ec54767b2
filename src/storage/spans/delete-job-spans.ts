import type { Store } from "../database.ts";

/** Removes the spans a job stored (a cancelled, failed or re-run import). */
export function deleteJobSpans(store: Store, jobId: string): number {
  return store.sqlite.query("DELETE FROM spans WHERE job_id = ?").run(jobId).changes;
}
