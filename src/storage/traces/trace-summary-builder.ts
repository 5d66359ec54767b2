import type { Store } from "../database.ts";
import { COL, type SpanRowValue } from "../spans/span-row.ts";
import { refreshJobTraces, refreshTraces } from "./refresh-trace-summaries.ts";

/** Traces held in memory at most; beyond, the summaries are recomputed in SQL instead. */
export const MAX_TRACES = 100_000;

/** Parentless spans rank first as a trace's root, then self-parented ones; others need the whole trace. */
const PARENTLESS = 0;
const SELF_PARENTED = 1;
const NO_ROOT = 2;

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
/** Flags of a trace's slot: which of its times are known (a NULL is not 0), and its root's rank. */
const HAS_START = 1;
const HAS_END = 2;
const HAS_ROOT_START = 4;
const RANK_SHIFT = 3;

/** Services (by interned number) below this are a bit of a per-trace mask; the rest, rare, go in a map. */
const MASK_SERVICES = 32;

/** Distinct root names shared between traces at most; past it, each trace keeps its own string. */
const MAX_SHARED_NAMES = 10_000;

export class TraceSummaryBuilder {
  /*
   * Memory is what bounds this class (it holds up to MAX_TRACES traces on the
   * importing thread), so a trace is a slot in typed columns rather than an
   * object: about 200 bytes a trace, most of it the id key, instead of about
   * 360 for an object with its bigints, its services array and a fresh copy
   * of every string (each batch arrives from the reader thread with its own
   * copies). The heap grows to a multiple of what is live, so this is
   * counted twice in the import's peak RSS.
   *
   * Times are kept as signed 64-bit integers: what SQLite stores for the
   * span (it wraps a larger BigInt the same way), so the summaries match
   * what refreshJobTraces computes from the stored spans.
   */
  private readonly slots = new Map<string, number>();
  private size = 0;
  private capacity = 0;
  private start = new BigInt64Array(0);
  private end = new BigInt64Array(0);
  private rootStart = new BigInt64Array(0);
  private count = new Uint32Array(0);
  private errors = new Uint32Array(0);
  private flags = new Uint8Array(0);
  private serviceMask = new Uint32Array(0);
  private readonly moreServices = new Map<number, number[]>();
  private readonly rootId: string[] = [];
  private readonly rootService: (string | null)[] = [];
  private readonly rootName: (string | null)[] = [];
  /** Each service name once, by number: its first copy, which every trace then shares. */
  private readonly services: string[] = [];
  private readonly serviceNumbers = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private overflow = false;

  constructor(private readonly maxTraces = MAX_TRACES) {}

  /** Adds the inserted row that starts at `at` in `rows`. */
  add(rows: readonly SpanRowValue[], at: number): void {
    if (this.overflow) return;
    const traceId = rows[at + COL.traceId] as string;
    const start = rows[at + COL.startNs] as bigint | null;
    const end = (rows[at + COL.endNs] as bigint | null) ?? start;
    const service = rows[at + COL.service] as string | null;
    let t = this.slots.get(traceId);
    if (t === undefined) {
      if (this.size >= this.maxTraces) {
        this.overflowToSql();
        return;
      }
      t = this.newSlot(traceId);
    }
    const flags = this.flags[t]!;
    this.count[t]!++;
    if (rows[at + COL.statusCode] === 2) this.errors[t]!++;
    if (start !== null) {
      const v = BigInt.asIntN(64, start);
      if ((flags & HAS_START) === 0 || v < this.start[t]!) this.start[t] = v;
    }
    if (end !== null) {
      const v = BigInt.asIntN(64, end);
      if ((flags & HAS_END) === 0 || v > this.end[t]!) this.end[t] = v;
    }
    if (service !== null) this.addService(t, service);
    const parent = rows[at + COL.parentSpanId] as string | null;
    const spanId = rows[at + COL.spanId] as string;
    const rank = parent === null ? PARENTLESS : parent === spanId ? SELF_PARENTED : NO_ROOT;
    const rootRank = flags >> RANK_SHIFT;
    const startValue = start === null ? null : BigInt.asIntN(64, start);
    const rootStart = (flags & HAS_ROOT_START) === 0 ? null : this.rootStart[t]!;
    let newFlags = flags | (start !== null ? HAS_START : 0) | (end !== null ? HAS_END : 0);
    if (rank < rootRank || (rank === rootRank && rank !== NO_ROOT && before(startValue, spanId, rootStart, this.rootId[t]!))) {
      newFlags = (newFlags & ~(HAS_ROOT_START | (3 << RANK_SHIFT))) | (rank << RANK_SHIFT);
      if (startValue !== null) {
        newFlags |= HAS_ROOT_START;
        this.rootStart[t] = startValue;
      }
      this.rootId[t] = spanId;
      this.rootService[t] = service === null ? null : this.services[this.serviceNumbers.get(service)!]!;
      this.rootName[t] = this.sharedName(rows[at + COL.name] as string);
    }
    this.flags[t] = newFlags;
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
      for (const [traceId, t] of this.slots) {
        const flags = this.flags[t]!;
        if (flags >> RANK_SHIFT === NO_ROOT || exists.get(traceId) !== null) {
          recompute.push(traceId);
          continue;
        }
        insertTrace.run(
          traceId,
          flags & HAS_START ? this.start[t]! : 0n,
          flags & HAS_END ? this.end[t]! : null,
          this.count[t]!,
          this.errors[t]!,
          this.rootService[t]!,
          this.rootName[t]!,
        );
        for (let mask = this.serviceMask[t]!, n = 0; mask !== 0; mask >>>= 1, n++) if (mask & 1) insertService.run(this.services[n]!, traceId);
        for (const n of this.moreServices.get(t) ?? []) insertService.run(this.services[n]!, traceId);
      }
      if (recompute.length > 0) refreshTraces(store, recompute);
    })();
  }

  private newSlot(traceId: string): number {
    if (this.size === this.capacity) this.grow();
    const t = this.size++;
    this.slots.set(traceId, t);
    this.count[t] = 0;
    this.errors[t] = 0;
    this.serviceMask[t] = 0;
    this.flags[t] = NO_ROOT << RANK_SHIFT;
    this.rootId[t] = "";
    this.rootService[t] = null;
    this.rootName[t] = null;
    return t;
  }

  /** Doubles the columns (never beyond maxTraces slots). */
  private grow(): void {
    const capacity = Math.min(Math.max(1024, this.capacity * 2), Math.max(this.maxTraces, 1));
    const bigger = <A extends BigInt64Array | Uint32Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const a = make(capacity);
      a.set(old as never);
      return a;
    };
    this.start = bigger(this.start, (n) => new BigInt64Array(n));
    this.end = bigger(this.end, (n) => new BigInt64Array(n));
    this.rootStart = bigger(this.rootStart, (n) => new BigInt64Array(n));
    this.count = bigger(this.count, (n) => new Uint32Array(n));
    this.errors = bigger(this.errors, (n) => new Uint32Array(n));
    this.serviceMask = bigger(this.serviceMask, (n) => new Uint32Array(n));
    this.flags = bigger(this.flags, (n) => new Uint8Array(n));
    this.capacity = capacity;
  }

  private addService(t: number, service: string): void {
    let n = this.serviceNumbers.get(service);
    if (n === undefined) {
      n = this.services.length;
      this.services.push(service);
      this.serviceNumbers.set(service, n);
    }
    if (n < MASK_SERVICES) {
      this.serviceMask[t]! |= 1 << n;
      return;
    }
    const more = this.moreServices.get(t);
    if (more === undefined) this.moreServices.set(t, [n]);
    else if (!more.includes(n)) more.push(n);
  }

  /** One string for each root name up to MAX_SHARED_NAMES distinct names (names repeat across traces). */
  private sharedName(name: string): string {
    const shared = this.names.get(name);
    if (shared !== undefined) return shared;
    if (this.names.size < MAX_SHARED_NAMES) this.names.set(name, name);
    return name;
  }

  /** Past maxTraces: let go of everything; write() recomputes the whole job in SQL. */
  private overflowToSql(): void {
    this.overflow = true;
    this.slots.clear();
    this.moreServices.clear();
    this.names.clear();
    this.rootId.length = 0;
    this.rootService.length = 0;
    this.rootName.length = 0;
    this.start = this.end = this.rootStart = new BigInt64Array(0);
    this.count = this.errors = this.serviceMask = new Uint32Array(0);
    this.flags = new Uint8Array(0);
  }
}
