import type { Store } from "../database.ts";
import { STORED_SPAN_COLUMNS, toStoredSpan, type StoredSpan } from "./stored-span.ts";

/** One span, by the (trace id, span id) unique index. */
export function getSpan(store: Store, traceId: string, spanId: string): StoredSpan | null {
  const row = store.sqlite.query(`SELECT ${STORED_SPAN_COLUMNS} FROM spans WHERE trace_id = ? AND span_id = ?`).get(traceId, spanId) as Record<string, unknown> | null;
  return row ? toStoredSpan(row) : null;
}
