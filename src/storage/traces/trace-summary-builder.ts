import type { Store } from "../database.ts";
import { COL, type SpanRowValue } from "../spans/span-row.ts";
import { refreshJobTraces, refreshTraces } from "./refresh-trace-summaries.ts";

/** Traces held in memory at most; beyond, the summaries are recomputed in SQL instead. */
export const MAX_TRACES = 100_000;

/** Parentless spans rank first as a trace's root, then self-parented ones; others need the whole trace. */
const PARENTLESS = 0;
const SELF_PARENTED = 1;
const NO_ROOT = 2;

interface Summary {
  start: bigint | null;
  end: bigint | null;
  count: number;
  errors: number;
  services: string[];
  rootRank: number;
  rootStart: bigint | null;
  rootId: string;
  rootService: string | null;
  rootName: string | null;
}

/**
 * Whether root candidate a comes before b: by start time, NULL first (as
 * SQLite orders it), then by span id.
 */
function before(aStart: bigint | null, aId: string, bStart: bigint | null, bId: string): boolean {
  if (aStart === bStart) return aId < bId;
  if (aStart === null) return true;
  if (bStart === null) return false;
  return aStart < bStart;
}

/**
 * Builds the trace summary rows (traces, trace_services) of an import from the
 * spans it actually inserted, as they are inserted, so that finishing an import
 * does not read every span back. The result is what refreshJobTraces computes
 * in SQL, and SQL remains the path wherever memory cannot be sure:
 *
 * - a trace that already has a summary (spans from an earlier import) is
 *   recomputed from the spans table;
 * - so is a trace whose root cannot be told without all of its spans (no
 *   parentless or self-parented span: the root is an orphan);
 * - past MAX_TRACES traces the builder stops and the whole job is recomputed
 *   in SQL, so memory stays bounded whatever the file.
 *
 * Two imports that add spans to the same new trace at the same time are safe:
 * the first to finish writes its summary, the second then finds a summary and
 * recomputes the trace from every span.
 */
export class TraceSummaryBuilder {
  private readonly traces = new Map<string, Summary>();
  private overflow = false;

  constructor(private readonly maxTraces = MAX_TRACES) {}

  /** Adds the inserted row that starts at `at` in `rows`. */
  add(rows: readonly SpanRowValue[], at: number): void {
    if (this.overflow) return;
    const traceId = rows[at + COL.traceId] as string;
    const start = rows[at + COL.startNs] as bigint | null;
    const end = (rows[at + COL.endNs] as bigint | null) ?? start;
    const service = rows[at + COL.service] as string | null;
    let t = this.traces.get(traceId);
    if (t === undefined) {
      if (this.traces.size >= this.maxTraces) {
        this.overflow = true;
        this.traces.clear();
        return;
      }
      t = { start: null, end: null, count: 0, errors: 0, services: [], rootRank: NO_ROOT, rootStart: null, rootId: "", rootService: null, rootName: null };
      this.traces.set(traceId, t);
    }
    t.count++;
    if (rows[at + COL.statusCode] === 2) t.errors++;
    if (start !== null && (t.start === null || start < t.start)) t.start = start;
    if (end !== null && (t.end === null || end > t.end)) t.end = end;
    if (service !== null && !t.services.includes(service)) t.services.push(service);
    const parent = rows[at + COL.parentSpanId] as string | null;
    const spanId = rows[at + COL.spanId] as string;
    const rank = parent === null ? PARENTLESS : parent === spanId ? SELF_PARENTED : NO_ROOT;
    if (rank < t.rootRank || (rank === t.rootRank && rank !== NO_ROOT && before(start, spanId, t.rootStart, t.rootId))) {
      t.rootRank = rank;
      t.rootStart = start;
      t.rootId = spanId;
      t.rootService = service;
      t.rootName = rows[at + COL.name] as string;
    }
  }

  /** Writes the summaries in one transaction: new traces from memory, the rest recomputed in SQL. */
  write(store: Store, jobId: string): void {
    if (this.overflow) {
      refreshJobTraces(store, jobId);
      return;
    }
    const db = store.sqlite;
    const exists = db.prepare("SELECT 1 FROM traces WHERE trace_id = ?");
    const insertTrace = db.prepare(
      "INSERT INTO traces (trace_id, start_ns, end_ns, span_count, error_count, root_service, root_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const insertService = db.prepare("INSERT OR IGNORE INTO trace_services (service, trace_id) VALUES (?, ?)");
    db.transaction(() => {
      const recompute: string[] = [];
      for (const [traceId, t] of this.traces) {
        if (t.rootRank === NO_ROOT || exists.get(traceId) !== null) {
          recompute.push(traceId);
          continue;
        }
        insertTrace.run(traceId, t.start ?? 0n, t.end, t.count, t.errors, t.rootService, t.rootName);
        for (const s of t.services) insertService.run(s, traceId);
      }
      if (recompute.length > 0) refreshTraces(store, recompute);
    })();
  }
}
