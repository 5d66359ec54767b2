/** @jsxImportSource @kitajs/html */
import { describeLocation } from "../src/formats/location.ts";
import type { ImportResult } from "../src/import/import-task.ts";
import { isTerminal } from "../src/jobs/types.ts";
import type { PublicJob } from "../src/routes/public-job.ts";
import { formatBytes, formatCount, formatSeconds } from "./format.ts";

/**
 * How the card stays current: `live` over its SSE stream (htmx-ext-sse),
 * `poll` by re-fetching itself every few seconds (the fallback when the stream
 * keeps failing), `static` once the job has ended.
 */
export type CardMode = "live" | "poll" | "static";

export interface JobCardProps {
  job: PublicJob;
  mode: CardMode;
}

const PHASES: Record<string, string> = {
  starting: "Starting",
  reading: "Reading",
  importing: "Importing",
  finishing: "Finishing",
  requeued: "Waiting to run again",
  retry: "Queued to run again",
};

/** The bar and its percent; shown in every state, so the end of an import shows where it stopped. */
function Bar({ job }: { job: PublicJob }) {
  return (
    <div class="bar-line">
      <progress max="100" value={String(job.progress)} aria-label="Import progress" aria-describedby={`job-${job.id}-pct`}></progress>
      <span class="pct" id={`job-${job.id}-pct`}>
        {job.progress}%
      </span>
    </div>
  );
}

function Progress({ job }: { job: PublicJob }) {
  const st = job.state;
  const label = job.status === "queued" ? "Queued" : PHASES[st?.phase ?? ""] ?? "Running";
  return (
    <div class="job-progress">
      <Bar job={job} />
      <p class="phase" role="status">
        <span safe>{label}</span>
        {st?.bytesTotal !== undefined ? (
          <>
            {" · "}
            <span class="bytes">
              {formatBytes(st.bytesDone ?? 0)} of {formatBytes(st.bytesTotal)}
            </span>
          </>
        ) : (
          ""
        )}
      </p>
      <dl class="stats">
        <div>
          <dt>Spans</dt>
          <dd class="spans">{formatCount(st?.spans ?? 0)}</dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd class="rate">{st?.rate !== undefined ? `${formatCount(st.rate)}/s` : "–"}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd class="eta">{formatSeconds(st?.eta ?? null)}</dd>
        </div>
      </dl>
    </div>
  );
}

function Report({ job }: { job: PublicJob }) {
  const r = job.result as ImportResult;
  return (
    <div class="job-report">
      <Bar job={job} />
      <p class="outcome ok" role="status">
        Imported {formatCount(r.inserted)} new span{r.inserted === 1 ? "" : "s"} in {formatCount(r.traces)} trace{r.traces === 1 ? "" : "s"}.
      </p>
      <dl class="stats">
        <div>
          <dt>Format</dt>
          <dd class="format" safe title={r.format}>
            {r.detected ?? r.format + (r.gzip ? " (gzip)" : "")}
          </dd>
        </div>
        <div>
          <dt>Spans read</dt>
          <dd class="spans">{formatCount(r.spans)}</dd>
        </div>
        <div>
          <dt>New</dt>
          <dd class="inserted">{formatCount(r.inserted)}</dd>
        </div>
        <div>
          <dt>Duplicates</dt>
          <dd class="duplicates">{formatCount(r.duplicates)}</dd>
        </div>
        <div>
          <dt>Traces</dt>
          <dd class="traces">{formatCount(r.traces)}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd class="errors">{formatCount(r.errors)}</dd>
        </div>
        <div>
          <dt>Warnings</dt>
          <dd class="warnings">{formatCount(r.warnings)}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(r.bytes)}</dd>
        </div>
      </dl>
      {r.services.length ? (
        <p class="services">
          Services:{" "}
          {r.services.map((s, i) => (
            <>
              {i ? ", " : ""}
              <a href={`/traces?service=${encodeURIComponent(s)}`} safe>
                {s}
              </a>
            </>
          ))}
        </p>
      ) : (
        <p class="services muted">No span names a service.</p>
      )}
      <IssueTable title={`Skipped records (${formatCount(r.errors)})`} rows={r.samples} cls="errors-table" />
      <IssueTable title={`Warnings (${formatCount(r.warnings)})`} rows={r.warningSamples} cls="warnings-table" />
      <p>
        <a href={`/traces?job=${job.id}`} class="button">
          Browse the imported traces
        </a>
      </p>
    </div>
  );
}

function IssueTable({ title, rows, cls }: { title: string; rows: { line?: number; path?: string; message: string }[]; cls: string }) {
  if (!rows.length) return "";
  return (
    <details class={cls}>
      <summary safe>{title}</summary>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr>
                <td>
                  <code safe>{describeLocation(s)}</code>
                </td>
                <td safe>{s.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Body({ job }: { job: PublicJob }) {
  switch (job.status) {
    case "queued":
    case "running":
      return <Progress job={job} />;
    case "completed":
      return <Report job={job} />;
    case "failed":
      return (
        <div class="job-failed">
          <Bar job={job} />
          <p class="outcome bad" role="alert" safe>
            {job.error ?? "The import failed."}
          </p>
          {job.details ? <pre class="details" safe>{job.details}</pre> : ""}
        </div>
      );
    case "cancelled":
      return (
        <div class="job-cancelled">
          <Bar job={job} />
          <p class="outcome" role="status">
            Cancelled. Nothing from this file was kept.
          </p>
        </div>
      );
  }
}

/**
 * Puts a failed or cancelled job back in the queue. With htmx the answer
 * replaces the card (now live again) or the jobs-table row it came from.
 */
export function RetryForm({ job, view }: { job: PublicJob; view: "card" | "row" }) {
  const target = view === "row" ? `#job-row-${job.id}` : `#job-${job.id}`;
  return (
    <form method="post" action={`/jobs/${job.id}/retry`} hx-post={`/jobs/${job.id}/retry`} hx-target={target} hx-swap="outerHTML" class="inline-form">
      <input type="hidden" name="view" value={view} />
      <button type="submit" class={view === "row" ? "secondary small" : "secondary"}>
        Retry
      </button>
    </form>
  );
}

/**
 * The card's buttons. They sit outside the part that pushed updates replace,
 * so a button is never swapped away under the pointer or the keyboard focus
 * (updates come ten times a second); a stream sends them again, out of band,
 * only when the job's status changes.
 */
export function JobCardActions({ job, oob }: { job: PublicJob; oob?: boolean }): string {
  const active = job.status === "queued" || job.status === "running";
  const retryable = job.status === "failed" || job.status === "cancelled";
  return (
    <div class="job-actions" id={`job-${job.id}-actions`} hx-swap-oob={oob ? "true" : undefined}>
      {active ? (
        <form method="post" action={`/jobs/${job.id}/cancel`} hx-post={`/jobs/${job.id}/cancel`} hx-swap="none" class="inline-form">
          <button type="submit" class="secondary" id={`job-${job.id}-cancel`}>
            Cancel
          </button>
        </form>
      ) : retryable ? (
        <RetryForm job={job} view="card" />
      ) : (
        ""
      )}
    </div>
  ) as string;
}

/** The inner part of the card: what every pushed update replaces. */
export function JobCardBody({ job }: { job: PublicJob }): string {
  return (
    <>
      <header class="job-head">
        <h3>
          <a href={`/jobs/${job.id}`} safe>
            {job.input?.name ?? job.id}
          </a>
        </h3>
        <span class={`badge status-${job.status}`}>{job.status}</span>
      </header>
      <Body job={job} />
    </>
  ) as string;
}

/**
 * The one component for a job: the dialog, the job page, the POST response and
 * every pushed update all use it. Live cards hold their own SSE connection and
 * close it on the `end` event; htmx closes it when the card is removed.
 */
export function JobCard({ job, mode }: JobCardProps): string {
  const m: CardMode = isTerminal(job.status) ? "static" : mode;
  if (m === "live") {
    return (
      <section class="job-card" id={`job-${job.id}`} data-job-id={job.id} hx-ext="sse" sse-connect={`/jobs/${job.id}/events`} sse-close="end">
        <div class="job-card-body" sse-swap="job" hx-swap="innerHTML">
          <JobCardBody job={job} />
        </div>
        <JobCardActions job={job} />
      </section>
    ) as string;
  }
  if (m === "poll") {
    return (
      <section class="job-card" id={`job-${job.id}`} data-job-id={job.id} data-mode="poll" hx-get={`/jobs/${job.id}/card?mode=poll`} hx-trigger="every 3s" hx-swap="outerHTML">
        <div class="job-card-body">
          <JobCardBody job={job} />
        </div>
        <JobCardActions job={job} />
      </section>
    ) as string;
  }
  return (
    <section class="job-card" id={`job-${job.id}`} data-job-id={job.id} data-mode="static">
      <div class="job-card-body">
        <JobCardBody job={job} />
      </div>
      <JobCardActions job={job} />
    </section>
  ) as string;
}

/** What a card shows for a job that was deleted: static, so polling stops. */
export function GoneCard({ id }: { id: string }): string {
  return (
    <section class="job-card" id={`job-${id}`} data-job-id={id} data-mode="static">
      <div class="job-card-body">
        <GoneBody />
      </div>
    </section>
  ) as string;
}

export function GoneBody(): string {
  return (
    <p class="outcome" role="status">
      This job no longer exists.
    </p>
  ) as string;
}
