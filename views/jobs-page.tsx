/** @jsxImportSource @kitajs/html */
import type { JobStatus } from "../src/jobs/types.ts";
import type { PublicJob } from "../src/routes/public-job.ts";
import { JobRow } from "./job-row.tsx";
import { Layout } from "./layout.tsx";

export interface JobsPageProps {
  jobs: PublicJob[];
  status: JobStatus | null;
  /** Id to continue after, for the next page link. */
  nextCursor: string | null;
  /** True on the first page: new jobs are pushed in at the top (unfiltered only). */
  firstPage: boolean;
}

/** Sorts before every job id (they are UUIDv7s). */
const NO_JOB = "00000000-0000-0000-0000-000000000000";

const FILTERS: [JobStatus | null, string][] = [
  [null, "All"],
  ["queued", "Queued"],
  ["running", "Running"],
  ["completed", "Completed"],
  ["failed", "Failed"],
  ["cancelled", "Cancelled"],
];

/**
 * All jobs, newest first. The whole page holds ONE SSE connection
 * (/jobs/events) whose messages are out-of-band row swaps, however many jobs
 * run; the element that receives them swaps nothing itself (hx-swap="none").
 */
export function JobsPage({ jobs, status, nextCursor, firstPage }: JobsPageProps): string {
  // The stream watches the jobs shown here and, on the first unfiltered page,
  // any job created after the newest one shown.
  const query = new URLSearchParams({ ids: jobs.map((j) => j.id).join(",") });
  if (firstPage && !status) query.set("after", jobs[0]?.id ?? NO_JOB);
  return (
    <Layout title="Jobs" section="jobs">
      <div class="page-head">
        <h1>Jobs</h1>
        <nav class="filters" aria-label="Filter by status">
          {FILTERS.map(([value, label]) => (
            <a href={value ? `/jobs?status=${value}` : "/jobs"} aria-current={value === status ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
      </div>
      <div hx-ext="sse" sse-connect={`/jobs/events?${query}`} class="jobs-live" data-poll-fallback="#jobs-table">
        <div sse-swap="rows" hx-swap="none"></div>
      </div>
      <div class="table-wrap" id="jobs-table">
        <table class="jobs">
          <caption class="visually-hidden">Import jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col" class="num">Spans</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody id="new-job-rows"></tbody>
          <tbody id="job-rows">
            {jobs.map((job) => (
              <JobRow job={job} />
            ))}
          </tbody>
        </table>
      </div>
      {jobs.length === 0 ? (
        <p class="empty">
          No jobs{status ? ` with status ${status}` : ""} yet. <a href="/import" data-open-dialog="import-dialog">Import a trace file</a>.
        </p>
      ) : (
        ""
      )}
      {nextCursor ? (
        <p class="pager">
          <a href={`/jobs?${new URLSearchParams({ ...(status ? { status } : {}), cursor: nextCursor })}`} rel="next">
            Older jobs →
          </a>
        </p>
      ) : (
        ""
      )}
    </Layout>
  ) as string;
}
