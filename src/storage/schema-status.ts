import type { Store } from "./database.ts";
import { MIGRATION_TAGS } from "./migrations/index.ts";

/** Whether the store answers and every embedded migration has been applied. */
export function schemaStatus(store: Store): { ok: true } | { ok: false; reason: string } {
  try {
    const row = store.sqlite.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
    if (row.n < MIGRATION_TAGS.length) return { ok: false, reason: `${row.n} of ${MIGRATION_TAGS.length} migrations applied` };
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
