import type { SqliteConnection } from "../sqlite/sqlite-connection.ts";
import type { Store } from "../database.ts";

const TOUCHED = "CREATE TEMP TABLE IF NOT EXISTS touched_traces (trace_id TEXT PRIMARY KEY)";

/**
 * Recomputes the summary rows (traces, trace_services) of every trace listed
 * in the temp table touched_traces, from the spans table. A trace's root is its
 * earliest span without a parent in the trace (a parentless span first, then a
 * self-parented one, then an orphan; the lowest span id among equals).
 */
function recomputeTouched(db: SqliteConnection): void {
  db.exec("DELETE FROM traces WHERE trace_id IN (SELECT trace_id FROM touched_traces)");
  db.exec("DELETE FROM trace_services WHERE trace_id IN (SELECT trace_id FROM touched_traces)");
  db.exec(`
    INSERT INTO traces (trace_id, start_ns, end_ns, span_count, error_count)
    SELECT trace_id, COALESCE(MIN(start_ns), 0), MAX(COALESCE(end_ns, start_ns)), COUNT(*), SUM(status_code = 2)
    FROM spans WHERE trace_id IN (SELECT trace_id FROM touched_traces)
    GROUP BY trace_id`);
  db.exec(`
    UPDATE traces SET (root_service, root_name) = (
      SELECT r.service, r.name FROM spans r
      WHERE r.trace_id = traces.trace_id
        AND (r.parent_span_id IS NULL OR r.parent_span_id = r.span_id
             OR NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = r.trace_id AND p.span_id = r.parent_span_id))
      ORDER BY (r.parent_span_id IS NOT NULL), (r.parent_span_id IS NOT r.span_id), r.start_ns, r.span_id
      LIMIT 1)
    WHERE trace_id IN (SELECT trace_id FROM touched_traces)`);
  db.exec(`
    INSERT OR IGNORE INTO trace_services (service, trace_id)
    SELECT DISTINCT service, trace_id FROM spans
    WHERE trace_id IN (SELECT trace_id FROM touched_traces) AND service IS NOT NULL`);
  db.exec("DELETE FROM touched_traces");
}

/**
 * Runs `change` (which may add or delete a job's spans) and then recomputes the
 * summary rows of every trace the job has spans in, before and after, all in
 * one transaction.
 */
export function refreshJobTraces(store: Store, jobId: string, change: () => void = () => {}): void {
  const db = store.sqlite;
  db.transaction(() => {
    db.exec(TOUCHED);
    db.exec("DELETE FROM touched_traces");
    const collect = db.query("INSERT OR IGNORE INTO touched_traces SELECT DISTINCT trace_id FROM spans WHERE job_id = ?");
    collect.run(jobId);
    change();
    collect.run(jobId);
    recomputeTouched(db);
  })();
}

/** Recomputes the summary rows of the given traces from the spans table. Call inside a transaction. */
export function refreshTraces(store: Store, traceIds: Iterable<string>): void {
  const db = store.sqlite;
  db.exec(TOUCHED);
  db.exec("DELETE FROM touched_traces");
  const add = db.query("INSERT OR IGNORE INTO touched_traces (trace_id) VALUES (?)");
  for (const id of traceIds) add.run(id);
  recomputeTouched(db);
}
