import { Elysia } from "elysia";
import { HttpError } from "../http/http-error.ts";
import { JOB_STATUSES, type JobStatus } from "../jobs/types.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";
import { listJobs } from "../storage/jobs/list-jobs.ts";
import { GoneCard, JobCard, type CardMode } from "../../views/job-card.tsx";
import { ImportPage, JobPage } from "../../views/job-page.tsx";
import { JobRow } from "../../views/job-row.tsx";
import { JobsPage } from "../../views/jobs-page.tsx";
import { ImportForm } from "../../views/layout.tsx";
import { ErrorNote, MessagePage } from "../../views/message.tsx";
import type { RouteDeps } from "./deps.ts";
import { backTo, html, isHtmx, seeOther } from "./html.ts";
import { importUpload } from "./import-upload.ts";
import { loadPublicJob, publicJob } from "./public-job.ts";

export const JOBS_PAGE_SIZE = 25;

type Form = Record<string, unknown> | null | undefined;

function field(body: Form, name: string): string {
  const v = body?.[name];
  return typeof v === "string" ? v : "";
}

/** htmx shows action errors in the page's #flash region, whatever the form targeted. */
const TO_FLASH = { "hx-retarget": "#flash", "hx-reswap": "innerHTML" };

function jobNotFound(request: Request, id: string): Response {
  return isHtmx(request)
    ? html(ErrorNote({ message: "This job no longer exists.", details: `No job has the id "${id}".` }), 404, TO_FLASH)
    : html(MessagePage({ title: "Job not found", message: `No job has the id "${id}". It may have been deleted.`, status: 404, back: "/jobs" }), 404);
}

/**
 * The jobs pages and the import form: GET /, /jobs, /jobs/:id, /jobs/:id/card,
 * /import; POST /imports, /jobs/:id/cancel, /jobs/:id/retry, /jobs/:id/delete.
 * htmx requests get fragments; plain form posts get a 303 to a page.
 */
export function jobPageRoutes(deps: RouteDeps) {
  const { ctx } = deps;
  const load = (id: string) => loadPublicJob(ctx.store, id);
  return new Elysia()
    .get("/", () => seeOther("/jobs"))
    .get("/import", () => html(ImportPage({ form: ImportForm({ idPrefix: "page" }) })))
    .get("/jobs", ({ query }) => {
      const raw = (query.status as string | undefined) || null;
      const status = raw && JOB_STATUSES.includes(raw as JobStatus) ? (raw as JobStatus) : null;
      if (raw && !status) {
        return html(MessagePage({ title: `Unknown status "${raw}"`, message: `Use one of: ${JOB_STATUSES.join(", ")}.`, status: 400, back: "/jobs" }), 400);
      }
      const cursor = (query.cursor as string | undefined) || undefined;
      const rows = listJobs(ctx.store, { status: status ?? undefined, limit: JOBS_PAGE_SIZE + 1, before: cursor });
      const page = rows.slice(0, JOBS_PAGE_SIZE).map((r) => publicJob(toJob(r)));
      return html(
        JobsPage({
          jobs: page,
          status,
          nextCursor: rows.length > JOBS_PAGE_SIZE ? page.at(-1)!.id : null,
          firstPage: !cursor,
        }),
      );
    })
    .get("/jobs/:id", ({ params, request }) => {
      const job = load(params.id);
      if (!job) return jobNotFound(request, params.id);
      return html(isHtmx(request) ? JobCard({ job, mode: "live" }) : JobPage({ job }));
    })
    .get("/jobs/:id/card", ({ params, query }) => {
      const mode: CardMode = query.mode === "poll" ? "poll" : "live";
      const job = load(params.id);
      // 200 even when the job is gone: a polling card is replaced by this and stops.
      return html(job ? JobCard({ job, mode }) : GoneCard({ id: params.id }));
    })
    .post(
      "/imports",
      async ({ request }) => {
        try {
          const jobs = (await importUpload(deps, request)).map(publicJob);
          if (isHtmx(request)) return html(jobs.map((job) => JobCard({ job, mode: "live" })).join(""));
          return seeOther(jobs.length === 1 ? `/jobs/${jobs[0]!.id}` : "/jobs");
        } catch (err) {
          if (!(err instanceof HttpError)) throw err;
          return isHtmx(request)
            ? html(ErrorNote({ message: err.message, details: err.details }), err.status)
            : html(MessagePage({ title: err.message, message: err.details, status: err.status, back: "/import" }), err.status);
        }
      },
      { parse: "none" },
    )
    .post("/jobs/:id/cancel", async ({ params, request }) => {
      const outcome = await ctx.runner.cancel(params.id);
      if (outcome.kind === "not-found") return jobNotFound(request, params.id);
      // The card and the row learn the outcome from their streams.
      return isHtmx(request) ? new Response(null, { status: 204 }) : seeOther(backTo(request, `/jobs/${params.id}`));
    })
    .post("/jobs/:id/retry", ({ params, request, body }) => {
      const outcome = ctx.queue.retry(params.id);
      switch (outcome.kind) {
        case "not-found":
          return jobNotFound(request, params.id);
        case "not-retryable":
          return refuse(request, 409, `This job is ${outcome.job.status}`, "Only a failed or cancelled job can be retried.", params.id);
        case "input-gone":
          return refuse(request, 410, "The uploaded file is gone", "Import the file again.", params.id);
        case "queued": {
          const job = publicJob(outcome.job);
          if (!isHtmx(request)) return seeOther(backTo(request, `/jobs/${job.id}`));
          return html(field(body as Form, "view") === "row" ? JobRow({ job }) : JobCard({ job, mode: "live" }));
        }
      }
    })
    .post("/jobs/:id/delete", ({ params, request, body }) => {
      const spans = ["true", "on", "1"].includes(field(body as Form, "spans"));
      const outcome = ctx.queue.delete(params.id, { spans });
      switch (outcome.kind) {
        case "not-found":
          return jobNotFound(request, params.id);
        case "active":
          return refuse(request, 409, `This job is ${outcome.job.status}`, "Cancel it first, then delete it.", params.id);
        case "deleted":
          // htmx replaces the row with nothing.
          return isHtmx(request) ? html("") : seeOther("/jobs");
      }
    });
}

function refuse(request: Request, status: number, message: string, details: string, id: string): Response {
  return isHtmx(request)
    ? html(ErrorNote({ message, details }), status, TO_FLASH)
    : html(MessagePage({ title: message, message: details, status, back: `/jobs/${id}` }), status);
}
