import type { Broker } from "./broker.ts";
import { encodeSseFrame } from "./sse-frame.ts";
import { SseConnection, type SseHub } from "./sse-connection.ts";

/** What one step of a fragment stream sends, and whether the stream ends after it. */
export interface StreamStep {
  frames: Uint8Array[];
  end?: boolean;
}

export interface FragmentStreamOptions<T> {
  hub: SseHub;
  broker: Broker<T>;
  topic: string;
  signal: AbortSignal;
  retryMs: number;
  /** The complete current state: sent first, on every connect and reconnect. */
  snapshot(): StreamStep;
  /** What a published message adds; null sends nothing. */
  onMessage(message: T): StreamStep | null;
  /** Called when a step throws: the stream is closed and the client reconnects for a fresh snapshot. */
  onError?(err: unknown): void;
}

const encoder = new TextEncoder();

/** The frame that tells htmx-ext-sse (`sse-close="end"`) to stop; browsers drop an event without data. */
export const END_FRAME = encodeSseFrame({ event: "end", data: "end" });

/**
 * A stream of rendered fragments for htmx-ext-sse. The extension reconnects
 * without Last-Event-ID, so there are no ids and no replay: every connection
 * starts with a full snapshot and then gets what changes. The stream only
 * observes; it subscribes before taking the snapshot, in the same synchronous
 * block, so no message can fall between the two.
 *
 * A step that throws closes this stream only: the broker publishes from the
 * job's own code path, which a rendering bug must never break.
 */
export function openFragmentStream<T>(o: FragmentStreamOptions<T>): Response {
  const conn = new SseConnection(o.hub, o.signal);
  conn.send(encoder.encode(`retry: ${o.retryMs}\n\n`));
  const apply = (step: () => StreamStep | null) => {
    if (conn.isClosed) return;
    let s: StreamStep | null;
    try {
      s = step();
    } catch (err) {
      o.onError?.(err);
      conn.close();
      return;
    }
    if (!s) return;
    for (const f of s.frames) conn.send(f);
    if (s.end) conn.close();
  };
  const unsubscribe = o.broker.subscribe(o.topic, (m) => apply(() => o.onMessage(m)));
  conn.onClose(unsubscribe);
  apply(o.snapshot);
  return conn.response;
}
