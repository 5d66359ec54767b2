import { stat as fileStatOrThrow } from "node:fs/promises";
import { inputFilePath } from "./input-path.ts";
import type { TaskDefinition } from "../jobs/task.ts";
import type { Store } from "../storage/database.ts";
import { deleteJobSpans } from "../storage/spans/delete-job-spans.ts";
import { SpanWriter } from "../storage/spans/span-writer.ts";
import { TraceSummaryBuilder } from "../storage/traces/trace-summary-builder.ts";
import { TaskError } from "../util/errors.ts";
import { describeLocation } from "../formats/location.ts";
import type { ReadCounts, IssueSample } from "./import-sink.ts";
import { readInWorker } from "./read-in-worker.ts";

export interface ImportCounts extends ReadCounts {
  /** Spans stored by this import. */
  inserted: number;
  /** Spans whose (trace id, span id) was already stored, or repeated in the file. */
  duplicates: number;
}

/** What a completed import job stores as its result. */
export interface ImportResult extends ImportCounts {
  format: string;
  /** How the file was compressed (from its magic bytes), or null. */
  compression: "gzip" | "zstd" | null;
  /** Kept for clients of the first API version: compression === "gzip". */
  gzip: boolean;
  /** What was detected, in words: "OTLP JSON Lines, zstd-compressed, …". */
  detected: string;
  bytes: number;
  durationMs: number;
  /** Up to 100 records that were skipped, with where they are. */
  samples: IssueSample[];
  /** Up to 100 records that were kept but are unusual (padded ids, missing end time). */
  warningSamples: IssueSample[];
}

const BATCH_SIZE = 2000;

const fileStat = (path: string) => fileStatOrThrow(path).catch(() => null);

/** SQLite's "database or disk is full", or the file system's ENOSPC. */
function isDiskFull(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string } | null;
  return e?.code === "SQLITE_FULL" || e?.code === "ENOSPC" || /database or disk is full/i.test(e?.message ?? "");
}

/**
 * The import task: a reader thread streams the spooled file through its format
 * reader and hands over batches of rows, which this thread inserts, reporting
 * progress by bytes read from disk. Either the whole import lands or, on
 * cancel, failure or shutdown, `discard` removes what this job stored; a re-run
 * starts by removing what an interrupted run left.
 */
export function createImportTask(store: Store): TaskDefinition {
  const writer = new SpanWriter(store);
  return {
    async run(payload, ctx) {
      try {
        return await runImport(payload, ctx);
      } catch (err) {
        if (!ctx.signal.aborted && isDiskFull(err)) {
          throw new TaskError(
            "The server's disk is full: the import could not be stored",
            `${(err as Error).message}. Nothing from this file was kept; free some space and retry the job.`,
          );
        }
        throw err;
      }
    },
    discard(job) {
      deleteJobSpans(store, job.id);
    },
  };

  async function runImport(payload: Parameters<TaskDefinition["run"]>[0], { job, signal, progress }: Parameters<TaskDefinition["run"]>[1]): Promise<ImportResult> {
    const input = payload.input;
    if (!input) throw new TaskError("The job has no input file");
    const started = performance.now();
    deleteJobSpans(store, job.id);
    const path = inputFilePath(store.dataDir, input.path);
    const stat = await fileStat(path);
    if (!stat?.isFile()) throw new TaskError("The uploaded file is no longer in the data directory", `missing: ${input.path}`);
    const total = stat.size;
    let inserted = 0;
    const summaries = new TraceSummaryBuilder();
    const onInserted = summaries.add.bind(summaries);
    progress({ phase: "reading", bytesDone: 0, bytesTotal: total, spans: 0 });
    const read = await readInWorker({
      request: { path, name: input.name, format: input.format || "auto", strict: payload.options.strict === true, batchSize: BATCH_SIZE },
      signal,
      onBatch: (rows) => {
        inserted += writer.writeRows(rows, job.id, onInserted);
      },
      onProgress: (bytesDone, spans) => progress({ phase: "importing", bytesDone, bytesTotal: total, spans }),
    });
    progress({ phase: "finishing", bytesDone: total, bytesTotal: total, spans: read.counts.spans });
    signal.throwIfAborted();
    summaries.write(store, job.id);
    const counts: ImportCounts = { ...read.counts, inserted, duplicates: read.counts.spans - inserted };
    if (counts.spans === 0 && counts.errors > 0) {
      const first = read.errorSamples[0]!;
      throw new TaskError(
        `No spans could be imported: ${counts.errors} record${counts.errors === 1 ? " has" : "s have"} errors (first at ${describeLocation(first) || "the start"}: ${first.message})`,
        `Read as ${read.formatLabel}. ${counts.errors} skipped record(s), no valid span:\n` +
          read.errorSamples.slice(0, 20).map((e) => `${describeLocation(e) || "?"}: ${e.message}`).join("\n"),
      );
    }
    return {
      format: read.format,
      compression: read.compression,
      gzip: read.compression === "gzip",
      detected: read.detected,
      ...counts,
      bytes: total,
      durationMs: Math.round(performance.now() - started),
      samples: read.errorSamples,
      warningSamples: read.warningSamples,
    };
  }
}
