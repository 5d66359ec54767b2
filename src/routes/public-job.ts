import type { Job } from "../jobs/types.ts";
import type { Store } from "../storage/database.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";

/** A job as the API returns it: the spool path is the server's business. */
export function publicJob(job: Job) {
  const { input, ...rest } = job;
  return { ...rest, input: input && { name: input.name, size: input.size, format: input.format } };
}

export type PublicJob = ReturnType<typeof publicJob>;

/** The job as the API and pages show it, or null when there is none. */
export function loadPublicJob(store: Store, id: string): PublicJob | null {
  const row = getJob(store, id);
  return row ? publicJob(toJob(row)) : null;
}
