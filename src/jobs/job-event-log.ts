import type { Store } from "../storage/database.ts";
import { appendJobEvent } from "../storage/jobs/append-job-event.ts";
import type { JobEvent, JobEventData, JobEventSink } from "./types.ts";

/**
 * The one way a job changes state: the event is made durable (log row + job
 * row, one transaction), then handed to the sink (the in-process pub/sub).
 * Subscribers are therefore never told about a state the store does not have.
 */
export class JobEventLog {
  constructor(
    private readonly store: Store,
    private readonly sink: JobEventSink,
  ) {}

  record(jobId: string, data: JobEventData): JobEvent {
    const event = appendJobEvent(this.store, jobId, data);
    this.sink(event);
    return event;
  }
}
