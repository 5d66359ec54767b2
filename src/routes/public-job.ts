import type { Job } from "../jobs/types.ts";

/** A job as the API returns it: the spool path is the server's business. */
export function publicJob(job: Job) {
  const { input, ...rest } = job;
  return { ...rest, input: input && { name: input.name, size: input.size, format: input.format } };
}

export type PublicJob = ReturnType<typeof publicJob>;
