import type { SqliteConnection } from "../sqlite/sqlite-connection.ts";
import type { Store } from "../database.ts";
import type { JobEvent, JobEventData } from "../../jobs/types.ts";

/**
 * Prepared once per connection: recording an event is on the hot path (ten
 * progress events a second per running import, each published at once to
 * every stream), where drizzle's query builder cost milliseconds per event.
 */
function statements(db: SqliteConnection) {
  const insert = db.prepare("INSERT INTO job_events (job_id, type, data, created_at) VALUES (?, ?, ?, ?) RETURNING id");
  const queued = db.prepare(
    "UPDATE jobs SET status = 'queued', progress = ?, updated_at = ?, state = ?, result = NULL, error = NULL, details = NULL, finished_at = NULL WHERE id = ?",
  );
  const running = db.prepare("UPDATE jobs SET status = 'running', progress = ?, updated_at = ?, state = ? WHERE id = ?");
  const completed = db.prepare("UPDATE jobs SET status = 'completed', progress = ?, updated_at = ?, state = NULL, result = ?, finished_at = ? WHERE id = ?");
  const failed = db.prepare("UPDATE jobs SET status = 'failed', progress = ?, updated_at = ?, state = NULL, error = ?, details = ?, finished_at = ? WHERE id = ?");
  const cancelled = db.prepare("UPDATE jobs SET status = 'cancelled', progress = ?, updated_at = ?, state = NULL, finished_at = ? WHERE id = ?");
  const append = db.transaction((jobId: string, type: string, data: JobEventData, now: number): number => {
    const json = JSON.stringify(data);
    const id = (insert.get(jobId, type, json, now) as { id: number }).id;
    switch (data.status) {
      case "queued":
        // Queued again (retry, restart): the previous outcome no longer applies.
        queued.run(data.progress, now, json, jobId);
        break;
      case "running":
        running.run(data.progress, now, json, jobId);
        break;
      case "completed":
        completed.run(data.progress, now, JSON.stringify(data.result), now, jobId);
        break;
      case "failed":
        failed.run(data.progress, now, data.error, data.details, now, jobId);
        break;
      case "cancelled":
        cancelled.run(data.progress, now, now, jobId);
        break;
    }
    return id;
  });
  return { append };
}

const prepared = new WeakMap<SqliteConnection, ReturnType<typeof statements>>();

/**
 * Appends an event to the log and applies it to the job row, in one transaction:
 * the row and the log can never disagree. Returns the stored event with its id.
 */
export function appendJobEvent(store: Store, jobId: string, data: JobEventData, now = Date.now()): JobEvent {
  let s = prepared.get(store.sqlite);
  if (!s) prepared.set(store.sqlite, (s = statements(store.sqlite)));
  const type = data.status === "queued" || data.status === "running" ? "progress" : data.status;
  const id = s.append(jobId, type, data, now);
  return { id, jobId, type, data, at: now } as JobEvent;
}
