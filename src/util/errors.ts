/**
 * Anything thrown is normalised to an Error once, here, before it is logged or
 * stored; a TaskError carries the one-line message a person reads and the
 * details (where and why) that go into the job's `details`.
 */

export class TaskError extends Error {
  override name = "TaskError";
  constructor(
    message: string,
    readonly details: string | null = null,
  ) {
    super(message);
  }
}

export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

/** Why a running job's AbortSignal fired. */
export type AbortReason = "cancel" | "shutdown";

export class JobAbortedError extends Error {
  override name = "JobAbortedError";
  constructor(readonly reason: AbortReason) {
    super(reason === "cancel" ? "cancelled" : "interrupted by shutdown");
  }
}
