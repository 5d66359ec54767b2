import type { PublicJob } from "../src/routes/public-job.ts";
import { RetryForm } from "./job-card.tsx";
import { formatCount, formatTime } from "./format.ts";

/** One row of the jobs table. Pushed updates replace it whole, by id (out-of-band). */
export function JobRow({ job, oob }: { job: PublicJob; oob?: boolean }): string {
  const active = job.status === "queued" || job.status === "running";
  const result = job.result as { spans?: number; inserted?: number } | null;
  const spans = active ? job.state?.spans : result?.spans;
  return (
    <tr id={`job-row-${job.id}`} class={`job-row status-${job.status}`} hx-swap-oob={oob ? "true" : undefined}>
      <td class="name">
        <a href={`/jobs/${job.id}`} safe>
          {job.input?.name ?? job.id}
        </a>
      </td>
      <td>
        <span class={`badge status-${job.status}`}>{job.status}</span>
      </td>
      <td class="progress-cell">
        <progress max="100" value={String(job.progress)} aria-label={`Progress of ${job.input?.name ?? job.id}`}></progress>
        <span class="pct">{job.progress}%</span>
      </td>
      <td class="num spans">{formatCount(spans ?? null)}</td>
      <td class="time">
        <time datetime={job.createdAt}>{formatTime(job.createdAt)}</time>
      </td>
      <td class="actions">
        {active ? (
          <form method="post" action={`/jobs/${job.id}/cancel`} hx-post={`/jobs/${job.id}/cancel`} hx-swap="none">
            <button type="submit" class="secondary small">
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
