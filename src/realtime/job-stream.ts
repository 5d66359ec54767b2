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
export function openJobStream(deps: JobStreamDeps, jobId: string, lastEventId: number | null, signal: AbortSignal, headers: Record<string, string> | null = null): Response {
  const conn = new SseConnection(deps.hub, signal, headers);
  const state = { lastSent: lastEventId ?? 0, retryPending: true };
  const topic = jobTopic(jobId);
  // One closure per connection: the listener. Everything else is shared.
  const listener = (event: JobEvent) => {
    send(deps, conn, state, event);
  };
  deps.broker.subscribe(topic, listener);
  conn.onClose(() => deps.broker.unsubscribe(topic, listener));

  const backlog = lastEventId === null ? [latestJobEvent(deps.store, jobId)].filter((e) => e !== undefined) : listJobEventsAfter(deps.store, jobId, lastEventId);
  for (const e of backlog) send(deps, conn, state, e);

  if (state.retryPending && !conn.isClosed) {
    // Nothing newer than Last-Event-ID: still open the stream at once.
    state.retryPending = false;
    conn.send(retryFrame(deps.retryMs));
    // A finished job whose terminal event the client already has: nothing more will come.
    const latest = latestJobEvent(deps.store, jobId);
    if (latest && latest.type !== "progress" && latest.id <= state.lastSent) conn.close();
  }
  return conn.response;
}

/** Writes one event unless it was sent already; the first frame carries `retry:`. After a terminal event the stream ends. */
function send(deps: JobStreamDeps, conn: SseConnection, state: { lastSent: number; retryPending: boolean }, event: JobEvent): boolean {
  if (event.id <= state.lastSent || conn.isClosed) return false;
  state.lastSent = event.id;
  if (state.retryPending) {
    state.retryPending = false;
    conn.send(retryFrame(deps.retryMs, false));
  }
  conn.send(jobEventFrame(event));
  // Ending right after the terminal event: the frame is flushed, then the stream closes.
  if (event.type !== "progress") conn.close();
  return true;
}

const retryFrames = new Map<string, Uint8Array>();

/** `retry: N` alone (a frame of its own) or as the first line of the next frame; encoded once per value. */
function retryFrame(ms: number, own = true): Uint8Array {
  const key = `${ms}:${own}`;
  let f = retryFrames.get(key);
  if (!f) retryFrames.set(key, (f = encoder.encode(own ? `retry: ${ms}\n\n` : `retry: ${ms}\n`)));
  return f;
}
