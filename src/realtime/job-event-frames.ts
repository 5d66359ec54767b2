import type { JobEvent } from "../jobs/types.ts";
import { encodeSseFrame } from "./sse-frame.ts";

// One event object is shared by every subscriber, so its frame is encoded once
// and the same bytes are written to every connection.
const frames = new WeakMap<JobEvent, Uint8Array>();

/** The SSE frame of a job event: `id:` is the event-log id, `event:` its type, `data:` its JSON. */
export function jobEventFrame(event: JobEvent): Uint8Array {
  let frame = frames.get(event);
  if (!frame) {
    frame = encodeSseFrame({ id: event.id, event: event.type, data: JSON.stringify(event.data) });
    frames.set(event, frame);
  }
  return frame;
}
