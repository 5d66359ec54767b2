import { platform } from "../../runtime/index.ts";
import type { Store } from "../database.ts";
import { jobs } from "../schema.ts";
import type { JobInput } from "../../jobs/types.ts";
import type { JobRow } from "../schema.ts";

export interface NewJob {
  kind: string;
  input: JobInput | null;
  options: Record<string, unknown>;
}

/** Inserts a queued job with a fresh UUIDv7 id (sortable by creation time). */
export function insertJob(store: Store, job: NewJob, now = Date.now()): JobRow {
  return store.db
    .insert(jobs)
    .values({
      id: platform.uuidv7(),
      kind: job.kind,
      status: "queued",
      progress: 0,
      createdAt: now,
      updatedAt: now,
      inputPath: job.input?.path ?? null,
      inputName: job.input?.name ?? null,
      inputSize: job.input?.size ?? null,
      inputFormat: job.input?.format ?? null,
      options: JSON.stringify(job.options),
    })
    .returning()
    .get();
}
