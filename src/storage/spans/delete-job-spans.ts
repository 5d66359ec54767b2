import type { Store } from "../database.ts";
import { refreshJobTraces } from "../traces/refresh-trace-summaries.ts";

/**
 * Removes the spans a job stored (a cancelled, failed or re-run import) and
 * brings the summaries of the traces they belonged to up to date.
 */
export function deleteJobSpans(store: Store, jobId: string): number {
  let deleted = 0;
  refreshJobTraces(store, jobId, () => {
    deleted = store.sqlite.query("DELETE FROM spans WHERE job_id = ?").run(jobId).changes;
  });
  return deleted;
}
