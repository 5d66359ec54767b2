import type { Logger } from "../util/logger.ts";
import type { ProgressUpdate } from "./progress-reporter.ts";
import type { Job, JobInput } from "./types.ts";

/** What a task receives: the job's input and options. */
export interface TaskPayload {
  input: JobInput | null;
  options: Record<string, unknown>;
}

/** Everything a task may use besides its payload. It never sees HTTP. */
export interface TaskHelpers {
  job: Job;
  /** Fires on cancel or shutdown; the task stops at its next check. */
  signal: AbortSignal;
  logger: Logger;
  /** Report progress; throttled and published by the runner. */
  progress(update: ProgressUpdate): void;
}

/** One kind of job. `run` resolves with the job's result (stored as JSON). */
export interface TaskDefinition {
  run(payload: TaskPayload, helpers: TaskHelpers): Promise<unknown>;
  /**
   * Undo what an unfinished run left behind. Called after a cancel, a failure or
   * a shutdown, and never after success: a job either completes whole or leaves
   * nothing.
   */
  discard?(job: Job): void | Promise<void>;
}
