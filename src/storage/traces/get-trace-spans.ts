import type { Store } from "../database.ts";
import { STORED_SPAN_COLUMNS, toStoredSpan, type StoredSpan } from "./stored-span.ts";

/** All spans of one trace, in storage order (the caller orders them). */
export function getTraceSpans(store: Store, traceId: string): StoredSpan[] {
  return (store.sqlite.query(`SELECT ${STORED_SPAN_COLUMNS} FROM spans WHERE trace_id = ?`).all(traceId) as Record<string, unknown>[]).map(toStoredSpan);
}
