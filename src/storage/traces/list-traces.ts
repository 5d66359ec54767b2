import type { Store } from "../database.ts";

export interface TraceFilter {
  service?: string;
  /** Exact span name somewhere in the trace. */
  name?: string;
  /** Trace start bounds, ns since the epoch (inclusive). */
  fromNs?: bigint;
  toNs?: bigint;
  minDurationNs?: bigint;
  errorsOnly?: boolean;
  /** Only traces with spans stored by this import job. */
  jobId?: string;
  limit: number;
  /** Continue after this (start, trace id) position of the previous page. */
  after?: { startNs: bigint; traceId: string };
}

export interface TraceSummary {
  traceId: string;
  rootService: string | null;
  rootName: string | null;
  startNs: string;
  endNs: string | null;
  spanCount: number;
  errorCount: number;
  services: string[];
}

/** Newest traces first (by start), keyset-paginated on (start, trace id). */
export function listTraces(store: Store, f: TraceFilter): TraceSummary[] {
  const where: string[] = [];
  const params: Record<string, string | number | bigint> = { limit: f.limit };
  if (f.service !== undefined) {
    where.push("t.trace_id IN (SELECT trace_id FROM trace_services WHERE service = $service)");
    params.service = f.service;
  }
  if (f.name !== undefined) {
    // Walks only the candidate trace's spans through the (trace_id, span_id) index.
    where.push("EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.name = $name)");
    params.name = f.name;
  }
  if (f.fromNs !== undefined) {
    where.push("t.start_ns >= $fromNs");
    params.fromNs = f.fromNs;
  }
  if (f.toNs !== undefined) {
    where.push("t.start_ns <= $toNs");
    params.toNs = f.toNs;
  }
  if (f.minDurationNs !== undefined) {
    where.push("t.end_ns - t.start_ns >= $minDurationNs");
    params.minDurationNs = f.minDurationNs;
  }
  if (f.errorsOnly) where.push("t.error_count > 0");
  if (f.jobId !== undefined) {
    // Through the spans_job_id index: only that job's spans are read.
    where.push("t.trace_id IN (SELECT trace_id FROM spans WHERE job_id = $jobId)");
    params.jobId = f.jobId;
  }
  if (f.after) {
    where.push("(t.start_ns < $afterStart OR (t.start_ns = $afterStart AND t.trace_id < $afterId))");
    params.afterStart = f.after.startNs;
    params.afterId = f.after.traceId;
  }
  const rows = store.sqlite
    .query(
      `SELECT t.trace_id, CAST(t.start_ns AS TEXT) AS start_ns, CAST(t.end_ns AS TEXT) AS end_ns, t.span_count, t.error_count,
         t.root_service, t.root_name,
         (SELECT json_group_array(service) FROM (SELECT service FROM trace_services ts WHERE ts.trace_id = t.trace_id ORDER BY service)) AS services
       FROM traces t
       ${where.length ? "WHERE " + where.join(" AND ") : ""}
       ORDER BY t.start_ns DESC, t.trace_id DESC
       LIMIT $limit`,
    )
    .all(params) as Record<string, unknown>[];
  return rows.map((r) => ({
    traceId: r.trace_id as string,
    rootService: r.root_service as string | null,
    rootName: r.root_name as string | null,
    startNs: r.start_ns as string,
    endNs: r.end_ns as string | null,
    spanCount: r.span_count as number,
    errorCount: r.error_count as number,
    services: JSON.parse(r.services as string),
  }));
}
