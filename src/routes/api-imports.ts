import { Elysia } from "elysia";
import type { RouteDeps } from "./deps.ts";
import { importUpload } from "./import-upload.ts";
import { publicJob } from "./public-job.ts";

/**
 * POST /api/imports: the upload is streamed to the spool directory, then one
 * job per file is queued, and only then is 202 sent.
 */
export function importRoutes(deps: RouteDeps) {
  return new Elysia().post(
    "/api/imports",
    async ({ request, set }) => {
      const jobs = await importUpload(deps, request);
      set.status = 202;
      set.headers.location = `/api/jobs/${jobs[0]!.id}`;
      return jobs.length === 1 ? publicJob(jobs[0]!) : { jobs: jobs.map(publicJob) };
    },
    { parse: "none" },
  );
}
