import { eq } from "drizzle-orm";
import type { Store } from "../database.ts";
import { jobs, type JobRow } from "../schema.ts";

export function getJob(store: Store, id: string): JobRow | undefined {
  return store.db.select().from(jobs).where(eq(jobs.id, id)).get();
}
