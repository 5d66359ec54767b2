import { Elysia } from "elysia";
import { HttpError } from "../http/http-error.ts";
import { JOB_STATUSES, type JobStatus } from "../jobs/types.ts";
import { parseBool } from "../http/query-params.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";
import { listJobs } from "../storage/jobs/list-jobs.ts";
import type { RouteDeps } from "./deps.ts";
import { loadPublicJob, publicJob } from "./public-job.ts";

const MAX_LIMIT = 200;

export function notFound(id: string): HttpError {
  return new HttpError(404, "Job not found", `No job has the id "${id}".`);
}

/** GET /api/jobs, GET|DELETE /api/jobs/:id, POST /api/jobs/:id/cancel, POST /api/jobs/:id/retry. */
export function jobRoutes({ ctx }: RouteDeps) {
  return new Elysia()
    .get("/api/jobs", ({ query }) => {
      const status = query.status as string | undefined;
      if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
        throw new HttpError(400, `Unknown status "${status}"`, `Use one of: ${JOB_STATUSES.join(", ")}.`);
      }
      const limit = query.limit === undefined ? 50 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIMIT}`);
      }
      const cursor = (query.cursor as string | undefined) || undefined;
      // One extra row tells whether there is a next page.
      const rows = listJobs(ctx.store, { status: status as JobStatus | undefined, limit: limit + 1, before: cursor });
      const page = rows.slice(0, limit);
      return {
        jobs: page.map((r) => publicJob(toJob(r))),
        nextCursor: rows.length > limit ? page.at(-1)!.id : null,
      };
    })
    .get("/api/jobs/:id", ({ params }) => {
      const job = loadPublicJob(ctx.store, params.id);
      if (!job) throw notFound(params.id);
      return job;
    })
    .post("/api/jobs/:id/cancel", async ({ params, set }) => {
      const outcome = await ctx.runner.cancel(params.id);
      switch (outcome.kind) {
        case "not-found":
          throw notFound(params.id);
        case "finished":
          set.status = 409;
          return { error: `Job already ${outcome.job.status}`, details: "Only a queued or running job can be cancelled.", job: publicJob(outcome.job) };
        case "cancelled":
          return publicJob(outcome.job);
        case "stopping":
          set.status = 202;
          return publicJob(outcome.job);
      }
    })
    .post("/api/jobs/:id/retry", ({ params, set }) => {
      const outcome = ctx.queue.retry(params.id);
      switch (outcome.kind) {
        case "not-found":
          throw notFound(params.id);
        case "not-retryable":
          set.status = 409;
          return { error: `Job is ${outcome.job.status}`, details: "Only a failed or cancelled job can be retried.", job: publicJob(outcome.job) };
        case "input-gone":
          throw new HttpError(410, "The job's uploaded file is gone", "Import the file again.");
        case "queued":
          set.status = 202;
          set.headers.location = `/api/jobs/${params.id}`;
          return publicJob(outcome.job);
      }
    })
    .delete("/api/jobs/:id", ({ params, query, set }) => {
      const outcome = ctx.queue.delete(params.id, { spans: parseBool(query.spans as string | undefined, "spans") });
      switch (outcome.kind) {
        case "not-found":
          throw notFound(params.id);
        case "active":
          set.status = 409;
          return { error: `Job is ${outcome.job.status}`, details: "Cancel it first, then delete it.", job: publicJob(outcome.job) };
        case "deleted":
          return { deleted: params.id, spansDeleted: outcome.spans };
      }
    });
}
