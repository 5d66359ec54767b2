import type { Job, JobEvent, JobInput } from "../../jobs/types.ts";
import type { JobEventRow, JobRow } from "../schema.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  return JSON.parse(text) as T;
}

/** Row to public shape: the row's column names never leave the storage layer. */
export function toJob(row: JobRow): Job {
  const input: JobInput | null =
    row.inputPath === null
      ? null
      : { path: row.inputPath, name: row.inputName ?? "", size: row.inputSize ?? 0, format: row.inputFormat ?? "auto" };
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    state: parseJson(row.state, null),
    result: parseJson(row.result, null),
    error: row.error,
    details: row.details,
    attempts: row.attempts,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    input,
    options: parseJson(row.options, {}),
  };
}

export function toJobEvent(row: JobEventRow): JobEvent {
  return { id: row.id, jobId: row.jobId, type: row.type, data: JSON.parse(row.data), at: row.createdAt } as JobEvent;
}
