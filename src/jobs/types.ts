/** Public job types: what the API returns and what the SSE stream carries. */

export type JobStatus = "queued" | "running" | "completed" | "failed" | "cancelled";
export const TERMINAL_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];
export const JOB_STATUSES: readonly JobStatus[] = ["queued", "running", "completed", "failed", "cancelled"];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Live numbers of a queued or running job; every field but status/progress is optional. */
export interface ProgressState {
  status: "queued" | "running";
  /** 0-100, never decreasing within one run. */
  progress: number;
  phase?: string;
  bytesDone?: number;
  bytesTotal?: number;
  spans?: number;
  /** Spans per second over the run so far. */
  rate?: number;
  /** Seconds left, estimated from the byte rate. */
  eta?: number | null;
}

export interface CompletedState {
  status: "completed";
  progress: 100;
  result: unknown;
}

export interface FailedState {
  status: "failed";
  progress: number;
  error: string;
  details: string | null;
}

export interface CancelledState {
  status: "cancelled";
  progress: number;
}

export type JobEventType = "progress" | "completed" | "failed" | "cancelled";

/** One entry of the append-only event log; `id` increases across the whole store. */
export type JobEvent =
  | { id: number; jobId: string; type: "progress"; data: ProgressState; at: number }
  | { id: number; jobId: string; type: "completed"; data: CompletedState; at: number }
  | { id: number; jobId: string; type: "failed"; data: FailedState; at: number }
  | { id: number; jobId: string; type: "cancelled"; data: CancelledState; at: number };

export type JobEventData = JobEvent["data"];

export interface JobInput {
  /** Spooled file, relative to the data directory. */
  path: string;
  name: string;
  size: number;
  /** Requested format, or "auto". */
  format: string;
}

/** A job as the API shows it. Times are ISO 8601 strings. */
export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  progress: number;
  state: ProgressState | null;
  result: unknown;
  error: string | null;
  details: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  input: JobInput | null;
  options: Record<string, unknown>;
}

/** Receives every recorded event, after it is durable. */
export type JobEventSink = (event: JobEvent) => void;
