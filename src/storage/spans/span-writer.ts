import type { SqliteStatement } from "../sqlite/sqlite-connection.ts";
import type { Store } from "../database.ts";
import type { NormalisedSpan } from "../../formats/types.ts";
import { ROW_WIDTH, SPAN_COLUMNS, SpanRowBuilder, type SpanRowValue } from "./span-row.ts";

/**
 * The import hot path: one prepared INSERT, run for a whole batch inside one
 * transaction (STACK-NOTES: ~4x drizzle's batch builder, ~12x a transaction per
 * row). A (trace_id, span_id) that is already stored is skipped by the unique
 * index; `onInserted` hears of each row that was new, so duplicates are told
 * apart and the trace summaries can be built from what was actually stored.
 */
/** Hears of each row that was new: the batch and the offset of the row in it. */
export type OnInserted = (rows: readonly SpanRowValue[], at: number) => void;

export class SpanWriter {
  private readonly insert: SqliteStatement;
  private readonly writeBatch: (rows: readonly SpanRowValue[], jobId: string, onInserted?: OnInserted) => number;
  private readonly builder = new SpanRowBuilder();

  constructor(store: Store) {
    const columns = [...SPAN_COLUMNS, "job_id"];
    this.insert = store.sqlite.prepare(
      `INSERT INTO spans (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
       ON CONFLICT (trace_id, span_id) DO NOTHING`,
    );
    const insert = this.insert;
    this.writeBatch = store.sqlite.transaction((rows: readonly SpanRowValue[], jobId: string, onInserted?: OnInserted) => {
      let inserted = 0;
      for (let i = 0; i < rows.length; i += ROW_WIDTH) {
        const changes = insert.run(
          rows[i]!, rows[i + 1]!, rows[i + 2]!, rows[i + 3]!, rows[i + 4]!, rows[i + 5]!, rows[i + 6]!, rows[i + 7]!, rows[i + 8]!,
          rows[i + 9]!, rows[i + 10]!, rows[i + 11]!, rows[i + 12]!, rows[i + 13]!, rows[i + 14]!, rows[i + 15]!, rows[i + 16]!,
          rows[i + 17]!, rows[i + 18]!, rows[i + 19]!, rows[i + 20]!, rows[i + 21]!, jobId,
        ).changes;
        if (changes > 0) {
          inserted++;
          onInserted?.(rows, i);
        }
      }
      return inserted;
    });
  }

  /** Writes a batch of rows (see span-row.ts) in one transaction; returns how many were new. */
  writeRows(rows: readonly SpanRowValue[], jobId: string, onInserted?: OnInserted): number {
    return rows.length === 0 ? 0 : this.writeBatch(rows, jobId, onInserted);
  }

  /** Writes normalised spans in one transaction; returns how many were new. */
  write(spans: readonly NormalisedSpan[], jobId: string): number {
    return this.writeRows(this.builder.build(spans), jobId);
  }
}
