import type { Store } from "../database.ts";

export function countQueuedJobs(store: Store): number {
  return (store.sqlite.query("SELECT count(*) AS n FROM jobs WHERE status = 'queued'").get() as { n: number }).n;
}
