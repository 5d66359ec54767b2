import { jobTopic } from "../context.ts";
import type { JobEvent } from "../jobs/types.ts";
import type { Store } from "../storage/database.ts";
import { latestJobEvent, listJobEventsAfter } from "../storage/jobs/list-job-events.ts";
import type { Broker } from "./broker.ts";
import { jobEventFrame } from "./job-event-frames.ts";
import { SseConnection, type SseHub } from "./sse-connection.ts";

export interface JobStreamDeps {
  store: Store;
  broker: Broker<JobEvent>;
  hub: SseHub;
  /** Reconnection delay sent in the first frame. */
  retryMs: number;
}

const encoder = new TextEncoder();

/**
 * Opens one job's event stream. It only observes: it reads the event log and
 * subscribes to the job's topic, and never touches the job itself.
 *
 * Gap-free without buffering: the subscription, the read of the log and the
 * writes of what the log holds all happen in one synchronous block, and events
 * are published synchronously after they are stored, so no event can fall
 * between the read and the subscription. Ids are checked anyway, so nothing is
 * ever sent twice.
 *
 * - Without `lastEventId`: the job's newest event, which is its current state.
 * - With it: exactly the job's events after that id.
 * After a terminal event the stream ends.
 */
export function openJobStream(deps: JobStreamDeps, jobId: string, lastEventId: number | null, signal: AbortSignal, headers: Record<string, string> = {}): Response {
  const conn = new SseConnection(deps.hub, signal, headers);
  let lastSent = lastEventId ?? 0;
  let retryPending = true;
  const retry = encoder.encode(`retry: ${deps.retryMs}\n`);

  const send = (event: JobEvent) => {
    if (event.id <= lastSent || conn.isClosed) return;
    lastSent = event.id;
    // The first frame carries `retry:`; the rest of it is the shared event frame.
    if (retryPending) {
      retryPending = false;
      conn.send(retry);
    }
    conn.send(jobEventFrame(event));
    // Ending right after the terminal event: the frame is flushed, then the stream closes.
    if (event.type !== "progress") conn.close();
  };

  const unsubscribe = deps.broker.subscribe(jobTopic(jobId), (event) => {
    send(event);
    deps.hub.delivered(event.at);
  });
  conn.onClose(unsubscribe);

  const backlog = lastEventId === null ? [latestJobEvent(deps.store, jobId)].filter((e) => e !== undefined) : listJobEventsAfter(deps.store, jobId, lastEventId);
  for (const e of backlog) send(e);

  if (retryPending && !conn.isClosed) {
    // Nothing newer than Last-Event-ID: still open the stream at once.
    retryPending = false;
    conn.send(encoder.encode(`retry: ${deps.retryMs}\n\n`));
    // A finished job whose terminal event the client already has: nothing more will come.
    const latest = latestJobEvent(deps.store, jobId);
    if (latest && latest.type !== "progress" && latest.id <= lastSent) conn.close();
  }
  return conn.response;
}
