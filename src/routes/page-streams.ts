import { Elysia } from "elysia";
import { JOBS_TOPIC, jobTopic } from "../context.ts";
import { isTerminal, type JobEvent } from "../jobs/types.ts";
import { END_FRAME, openFragmentStream, type StreamStep } from "../realtime/fragment-stream.ts";
import { encodeSseFrame } from "../realtime/sse-frame.ts";
import { getJobs } from "../storage/jobs/get-jobs.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";
import { listJobs } from "../storage/jobs/list-jobs.ts";
import { GoneBody, JobCardActions, JobCardBody } from "../../views/job-card.tsx";
import { JobRow, JobRowCells, NewJobRows } from "../../views/job-row.tsx";
import type { RouteDeps } from "./deps.ts";
import { assertStreamCapacity } from "./stream-capacity.ts";
import { loadPublicJob, publicJob, type PublicJob } from "./public-job.ts";
import { JOBS_PAGE_SIZE } from "./page-jobs.ts";

const RETRY_MS = 2000;
const MAX_IDS = 200;
const ID = /^[0-9a-f-]{36}$/;

/**
 * The HTML streams behind the pages, for htmx-ext-sse. They only observe jobs.
 *
 * GET /jobs/:id/events — one job's card: event `job` carries the card's inner
 * HTML (a full snapshot on every connect, then one per change); after the
 * terminal state, event `end` (the card's `sse-close`) and the stream ends.
 *
 * GET /jobs/events?ids=…&after=… — the jobs page's ONE connection: event `rows`
 * carries out-of-band `<tr>` swaps for the jobs the page shows (`ids`), and,
 * when `after` is given, the whole `#new-job-rows` body of jobs created since
 * the page was rendered. Every connect starts with a snapshot of all of them.
 */
export function pageStreamRoutes(deps: RouteDeps) {
  const { ctx, hub } = deps;
  const log = ctx.logger.child({ component: "page-stream" });
  const load = (id: string): PublicJob | null => loadPublicJob(ctx.store, id);
  // A published event is loaded and rendered once, whoever is watching. A
  // connection that saw the job in another status gets the variant with the
  // buttons (whole row, or card actions out of band); otherwise only what moves.
  const rendered = new WeakMap<JobEvent, Partial<Record<"row" | "cells" | "card" | "cardWithActions", Uint8Array>> & { job: PublicJob | null }>();
  const render = (e: JobEvent, variant: "row" | "cells" | "card" | "cardWithActions"): Uint8Array | null => {
    let entry = rendered.get(e);
    if (!entry) rendered.set(e, (entry = { job: load(e.jobId) }));
    const job = entry.job;
    if (!job) return null;
    return (entry[variant] ??= variantFrame(job, variant));
  };
  const variantFrame = (job: PublicJob, variant: "row" | "cells" | "card" | "cardWithActions"): Uint8Array => {
    switch (variant) {
      case "row":
        return rowsFrame(JobRow({ job, oob: true }));
      case "cells":
        return rowsFrame(JobRowCells({ job }));
      case "card":
        return cardFrame(job, false);
      case "cardWithActions":
        return cardFrame(job, true);
    }
  };
  const cardFrame = (job: PublicJob, withActions: boolean) =>
    encodeSseFrame({ event: "job", data: JobCardBody({ job }) + (withActions ? JobCardActions({ job, oob: true }) : "") });
  const rowsFrame = (htmlText: string) => encodeSseFrame({ event: "rows", data: htmlText });
  const onError = (err: unknown) => log.error("stream step failed", { error: String(err) });

  return new Elysia()
    .get("/jobs/events", ({ query, request }) => {
      assertStreamCapacity(deps);
      deps.connections.keepOpen(request);
      const ids = new Set(
        String(query.ids ?? "")
          .split(",")
          .filter((x) => ID.test(x))
          .slice(0, MAX_IDS),
      );
      const after = typeof query.after === "string" && ID.test(query.after) ? query.after : null;
      /** Jobs created after the page was rendered, shown in #new-job-rows. */
      const fresh = new Set<string>();
      /** The status this connection last rendered for each job. */
      const shown = new Map<string, string>();
      const newRows = () => {
        const jobs = listJobs(ctx.store, { after: after!, limit: JOBS_PAGE_SIZE }).map((r) => publicJob(toJob(r)));
        fresh.clear();
        for (const j of jobs) {
          fresh.add(j.id);
          shown.set(j.id, j.status);
        }
        return NewJobRows({ jobs });
      };
      return openFragmentStream<JobEvent>({
        hub,
        broker: ctx.broker,
        topic: JOBS_TOPIC,
        signal: request.signal,
        retryMs: RETRY_MS,
        onError,
        snapshot: () => {
          const parts = getJobs(ctx.store, [...ids]).map((r) => {
            const job = publicJob(toJob(r));
            shown.set(job.id, job.status);
            return JobRow({ job, oob: true });
          });
          if (after) parts.push(newRows());
          return { frames: parts.length ? [rowsFrame(parts.join("\n"))] : [] };
        },
        onMessage: (e) => {
          let frame: Uint8Array | null = null;
          if (ids.has(e.jobId) || fresh.has(e.jobId)) {
            const same = shown.get(e.jobId) === e.data.status;
            shown.set(e.jobId, e.data.status);
            frame = render(e, same ? "cells" : "row");
          } else if (after && e.jobId > after) {
            // A job this page has not seen: created after it was rendered.
            frame = rowsFrame(newRows());
          }
          return frame ? { frames: [frame] } : null;
        },
      });
    })
    .get("/jobs/:id/events", ({ params, request }) => {
      assertStreamCapacity(deps);
      deps.connections.keepOpen(request);
      const end = (frames: Uint8Array[]): StreamStep => ({ frames: [...frames, END_FRAME], end: true });
      let shown: string | null = null;
      return openFragmentStream<JobEvent>({
        hub,
        broker: ctx.broker,
        topic: jobTopic(params.id),
        signal: request.signal,
        retryMs: RETRY_MS,
        onError,
        snapshot: () => {
          const job = load(params.id);
          // Never an error status: htmx-ext-sse would reconnect forever. A gone job ends the stream.
          if (!job) return end([encodeSseFrame({ event: "job", data: GoneBody() })]);
          // The card may have been rendered a while ago: its buttons come too.
          const frame = cardFrame(job, true);
          shown = job.status;
          return isTerminal(job.status) ? end([frame]) : { frames: [frame] };
        },
        onMessage: (e) => {
          const frame = render(e, shown === e.data.status ? "card" : "cardWithActions");
          shown = e.data.status;
          if (!frame) return end([]);
          return e.type === "progress" ? { frames: [frame] } : end([frame]);
        },
      });
    });
}
