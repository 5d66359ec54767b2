/** @jsxImportSource @kitajs/html */
import { formatMs, formatTime } from "./format.ts";
import { Layout } from "./layout.tsx";

export interface TraceRowData {
  traceId: string;
  rootService: string | null;
  rootName: string | null;
  start: string | null;
  durationMs: number | null;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface TracesPageProps {
  traces: TraceRowData[];
  services: string[];
  /** The filter values as given, to fill the form and build the next link. */
  query: Record<string, string>;
  nextCursor: string | null;
  /** Set when the list is limited to one import job. */
  jobName: string | null;
  error: string | null;
}

function field(query: Record<string, string>, name: string): string {
  return query[name] ?? "";
}

/** The trace list with its filters (a plain GET form, so it works without JavaScript). */
export function TracesPage({ traces, services, query, nextCursor, jobName, error }: TracesPageProps): string {
  const next = new URLSearchParams({ ...query, cursor: nextCursor ?? "" });
  return (
    <Layout title="Traces" section="traces">
      <h1>Traces</h1>
      {jobName !== null ? (
        <p class="note">
          Traces imported by <strong safe>{jobName}</strong>. <a href="/traces">Show all traces</a>
        </p>
      ) : (
        ""
      )}
      <form class="trace-filters" method="get" action="/traces">
        {query.job ? <input type="hidden" name="job" value={query.job} /> : ""}
        <div class="field">
          <label for="f-service">Service</label>
          <select id="f-service" name="service">
            <option value="">Any</option>
            {services.map((s) => (
              <option value={s} selected={s === query.service} safe>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-name">Operation</label>
          <input id="f-name" name="name" type="text" value={field(query, "name")} placeholder="exact span name" />
        </div>
        <div class="field">
          <label for="f-from">From (UTC)</label>
          <input id="f-from" name="from" type="datetime-local" step="1" value={field(query, "from")} />
        </div>
        <div class="field">
          <label for="f-to">To (UTC)</label>
          <input id="f-to" name="to" type="datetime-local" step="1" value={field(query, "to")} />
        </div>
        <div class="field">
          <label for="f-min">Min duration</label>
          <input id="f-min" name="minDuration" type="text" value={field(query, "minDuration")} placeholder="e.g. 250ms" />
        </div>
        <div class="field check">
          <input id="f-errors" name="errors" type="checkbox" value="true" checked={query.errors === "true"} />
          <label for="f-errors">Errors only</label>
        </div>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      {error ? (
        <p class="outcome bad" role="alert" safe>
          {error}
        </p>
      ) : (
        ""
      )}
      <div class="table-wrap">
        <table class="traces">
          <caption class="visually-hidden">Traces, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Root</th>
              <th scope="col">Services</th>
              <th scope="col">Start</th>
              <th scope="col" class="num">Duration</th>
              <th scope="col" class="num">Spans</th>
              <th scope="col" class="num">Errors</th>
            </tr>
          </thead>
          <tbody>
            {traces.map((t) => (
              <tr class={t.errorCount ? "has-error" : undefined}>
                <td>
                  <a href={`/traces/${t.traceId}`}>
                    <span class="svc" safe>
                      {t.rootService ?? "unknown service"}
                    </span>{" "}
                    <span safe>{t.rootName ?? t.traceId}</span>
                  </a>
                </td>
                <td class="services" safe>
                  {t.services.join(", ")}
                </td>
                <td class="time">{formatTime(t.start)}</td>
                <td class="num">{formatMs(t.durationMs)}</td>
                <td class="num">{t.spanCount}</td>
                <td class="num">{t.errorCount ? <span class="badge status-failed">{t.errorCount}</span> : "0"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {traces.length === 0 ? <p class="empty">No trace matches.</p> : ""}
      {nextCursor ? (
        <p class="pager">
          <a href={`/traces?${next}`} rel="next">
            Older traces →
          </a>
        </p>
      ) : (
        ""
      )}
    </Layout>
  ) as string;
}
