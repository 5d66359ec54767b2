import type { Store } from "../database.ts";
import type { JobRow } from "../schema.ts";

/**
 * Claims the oldest queued job (FIFO by UUIDv7 id) and marks it running, in one
 * statement: SQLite runs it atomically, and every write goes through this one
 * process, so two workers can never claim the same job.
 */
export function claimNextJob(store: Store, now = Date.now()): JobRow | undefined {
  const row = store.sqlite
    .query(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = $now, updated_at = $now,
         progress = 0, error = NULL, details = NULL, result = NULL
       WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1)
       RETURNING *`,
    )
    .get({ now }) as Record<string, unknown> | null;
  return row ? fromRaw(row) : undefined;
}

/** Maps a raw snake_case row (from a hand-written statement) to drizzle's row type. */
export function fromRaw(r: Record<string, unknown>): JobRow {
  return {
    id: r.id as string,
    kind: r.kind as string,
    status: r.status as JobRow["status"],
    progress: r.progress as number,
    state: r.state as string | null,
    result: r.result as string | null,
    error: r.error as string | null,
    details: r.details as string | null,
    attempts: r.attempts as number,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    startedAt: r.started_at as number | null,
    finishedAt: r.finished_at as number | null,
    inputPath: r.input_path as string | null,
    inputName: r.input_name as string | null,
    inputSize: r.input_size as number | null,
    inputFormat: r.input_format as string | null,
    options: r.options as string,
  };
}
