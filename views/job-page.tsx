/** @jsxImportSource @kitajs/html */
import type { PublicJob } from "../src/routes/public-job.ts";
import { JobCard } from "./job-card.tsx";
import { formatTime } from "./format.ts";
import { Layout } from "./layout.tsx";

/**
 * One job on its own page. The card is live over SSE with JavaScript; without
 * it, the page reloads itself every 2 seconds until the job has ended.
 */
export function JobPage({ job }: { job: PublicJob }): string {
  const active = job.status === "queued" || job.status === "running";
  return (
    <Layout title={job.input?.name ?? "Job"} section="jobs" refreshSeconds={active ? 2 : undefined}>
      <p class="crumbs">
        <a href="/jobs">Jobs</a> /
      </p>
      <JobCard job={job} mode="live" />
      <p class="muted small">
        Job <code safe>{job.id}</code> · created {formatTime(job.createdAt)} · attempt {job.attempts}
      </p>
      {active ? (
        <noscript>
          <p class="muted small">This page reloads every 2 seconds until the import ends.</p>
        </noscript>
      ) : (
        ""
      )}
    </Layout>
  ) as string;
}

/** The import form on a page of its own (the no-JavaScript path, and direct links). */
export function ImportPage({ form }: { form: string }): string {
  return (
    <Layout title="Import" section="import">
      <h1>Import traces</h1>
      {form}
    </Layout>
  ) as string;
}
