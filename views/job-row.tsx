/** @jsxImportSource @kitajs/html */
import type { PublicJob } from "../src/routes/public-job.ts";
import { RetryForm } from "./job-card.tsx";
import { formatCount, formatTime } from "./format.ts";

function StatusCell({ job, oob }: { job: PublicJob; oob?: boolean }) {
  return (
    <td id={`job-row-${job.id}-status`} hx-swap-oob={oob ? "true" : undefined}>
      <span class={`badge status-${job.status}`}>{job.status}</span>
    </td>
  );
}

function ProgressCell({ job, oob }: { job: PublicJob; oob?: boolean }) {
  return (
    <td id={`job-row-${job.id}-progress`} class="progress-cell" hx-swap-oob={oob ? "true" : undefined}>
      <progress max="100" value={String(job.progress)} aria-label={`Progress of ${job.input?.name ?? job.id}`}></progress>
      <span class="pct">{job.progress}%</span>
    </td>
  );
}

function SpansCell({ job, oob }: { job: PublicJob; oob?: boolean }) {
  const active = job.status === "queued" || job.status === "running";
  const result = job.result as { spans?: number } | null;
  const spans = active ? job.state?.spans : result?.spans;
  return (
    <td id={`job-row-${job.id}-spans`} class="num spans" hx-swap-oob={oob ? "true" : undefined}>
      {formatCount(spans ?? null)}
    </td>
  );
}

/** One row of the jobs table. A stream pushes it whole (out of band, by id) when the job's status changes. */
export function JobRow({ job, oob }: { job: PublicJob; oob?: boolean }): string {
  const active = job.status === "queued" || job.status === "running";
  return (
    <tr id={`job-row-${job.id}`} class={`job-row status-${job.status}`} hx-swap-oob={oob ? "true" : undefined}>
      <td class="name">
        <a href={`/jobs/${job.id}`} safe>
          {job.input?.name ?? job.id}
        </a>
      </td>
      <StatusCell job={job} />
      <ProgressCell job={job} />
      <SpansCell job={job} />
      <td class="time">
        <time datetime={job.createdAt}>{formatTime(job.createdAt)}</time>
      </td>
      <td class="actions">
        {active ? (
          <form method="post" action={`/jobs/${job.id}/cancel`} hx-post={`/jobs/${job.id}/cancel`} hx-swap="none" class="inline-form">
            <button type="submit" class="secondary small" id={`job-row-${job.id}-cancel`}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            {job.status === "failed" || job.status === "cancelled" ? <RetryForm job={job} view="row" /> : ""}
            <form
              method="post"
              action={`/jobs/${job.id}/delete`}
              hx-post={`/jobs/${job.id}/delete`}
              hx-target={`#job-row-${job.id}`}
              hx-swap="outerHTML"
              class="delete-form"
            >
              <label class="inline">
                <input type="checkbox" name="spans" value="true" /> with spans
              </label>
              <button type="submit" class="danger small">
                Delete
              </button>
            </form>
          </>
        )}
      </td>
    </tr>
  ) as string;
}

/**
 * A progress update of a row whose status did not change: only the cells
 * that move, out of band, so the row's buttons are never replaced under the
 * pointer or the focus.
 */
export function JobRowCells({ job }: { job: PublicJob }): string {
  return (
    <>
      <StatusCell job={job} oob />
      <ProgressCell job={job} oob />
      <SpansCell job={job} oob />
    </>
  ) as string;
}

/**
 * The jobs created since the page was rendered, newest first, above the
 * page's own rows. Sent whole each time, so a repeated push is harmless.
 */
export function NewJobRows({ jobs }: { jobs: PublicJob[] }): string {
  return (
    <tbody id="new-job-rows" hx-swap-oob="true">
      {jobs.map((job) => (
        <JobRow job={job} />
      ))}
    </tbody>
  ) as string;
}
