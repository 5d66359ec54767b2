import type { Store } from "../database.ts";

/** Ids of jobs left `running` by a process that is gone (a crash or kill -9). */
export function listRunningJobIds(store: Store): string[] {
  return (store.sqlite.query("SELECT id FROM jobs WHERE status = 'running' ORDER BY id").all() as { id: string }[]).map((r) => r.id);
}
