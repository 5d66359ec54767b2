import type { Store } from "../database.ts";

/** Deletes a job row; its events go with it (ON DELETE CASCADE). */
export function deleteJobRow(store: Store, id: string): boolean {
  return store.sqlite.query("DELETE FROM jobs WHERE id = ?").run(id).changes > 0;
}
