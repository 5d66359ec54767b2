import { inputFilePath } from "./input-path.ts";
import { detectFormat, FORMATS, formatById } from "../formats/registry.ts";
import { FileFormatError, type TraceFormat } from "../formats/types.ts";
import type { TaskDefinition } from "../jobs/task.ts";
import type { Store } from "../storage/database.ts";
import { deleteJobSpans } from "../storage/spans/delete-job-spans.ts";
import { SpanWriter } from "../storage/spans/span-writer.ts";
import { refreshJobTraces } from "../storage/traces/refresh-trace-summaries.ts";
import { TaskError } from "../util/errors.ts";
import { describeLocation, ImportSink, type ImportCounts, type IssueSample } from "./import-sink.ts";
import { openInput, type OpenedInput } from "./open-input.ts";
import { streamJsonValues } from "../formats/json-stream.ts";

/** What a completed import job stores as its result. */
export interface ImportResult extends ImportCounts {
  format: string;
  gzip: boolean;
  bytes: number;
  durationMs: number;
  /** Up to 100 records that were skipped, with where they are. */
  samples: IssueSample[];
  /** Up to 100 records that were kept but are unusual (padded ids, missing end time). */
  warningSamples: IssueSample[];
}

const BATCH_SIZE = 2000;

function whereText(err: FileFormatError): string {
  const w = err.where;
  const parts = [w.line !== undefined ? `line ${w.line}` : null, w.column !== undefined ? `column ${w.column}` : null, w.offset !== undefined ? `byte ${w.offset}` : null, w.path ?? null];
  const at = parts.filter(Boolean).join(", ");
  return at ? `Position: ${at}.` : "";
}

function preview(head: string): string {
  const text = head.trim().slice(0, 80).replace(/\s+/g, " ");
  return text.length ? JSON.stringify(text) : "(nothing)";
}

/**
 * The format to read with. When detection finds none and the content looks like
 * JSON, the file is parsed (streamed, nothing kept) so that a syntax error is
 * reported with its position rather than as "not a trace file".
 */
async function chooseFormat(requested: string, opened: OpenedInput, signal: AbortSignal): Promise<TraceFormat> {
  if (requested !== "auto") {
    const f = formatById(requested);
    if (!f) throw new TaskError(`Unknown format "${requested}"`, `Known formats: ${FORMATS.map((x) => x.id).join(", ")}`);
    return f;
  }
  const f = detectFormat(opened.head);
  if (f) return f;
  const expected = `Expected one of: ${FORMATS.map((x) => x.label).join(", ")}.`;
  if (/^\s*[[{]/.test(opened.head)) {
    try {
      await streamJsonValues(opened.source, [], () => {}, signal);
    } catch (err) {
      if (err instanceof FileFormatError) throw new TaskError(err.message, whereText(err));
      throw err;
    }
    const firstKey = /^\s*\{\s*"((?:[^"\\]|\\.){1,64})"/.exec(opened.head)?.[1];
    throw new TaskError(
      `Not a recognised trace file: valid JSON, but no trace data${firstKey ? ` (its first key is "${firstKey}")` : ""}`,
      `${expected} The file starts with ${preview(opened.head)}.`,
    );
  }
  throw new TaskError("Not a recognised trace file", `${expected} The file starts with ${preview(opened.head)}.`);
}

/**
 * The import task: streams a spooled file through its format reader into the
 * spans table, reporting progress by bytes read from disk. Either the whole
 * import lands or, on cancel, failure or shutdown, `discard` removes what this
 * job stored; a re-run starts by removing what an interrupted run left.
 */
/** SQLite's "database or disk is full", or the file system's ENOSPC. */
function isDiskFull(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string } | null;
  return e?.code === "SQLITE_FULL" || e?.code === "ENOSPC" || /database or disk is full/i.test(e?.message ?? "");
}

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
    const file = Bun.file(path);
    if (!(await file.exists())) throw new TaskError("The uploaded file is no longer in the data directory", `missing: ${input.path}`);
    const total = file.size;
    const sink = new ImportSink(signal, {
      strict: payload.options.strict === true,
      batchSize: BATCH_SIZE,
      write: (batch) => writer.write(batch, job.id),
    });
    progress({ phase: "reading", bytesDone: 0, bytesTotal: total, spans: 0 });
    let opened: OpenedInput;
    try {
      opened = await openInput(path, signal, (done) =>
        progress({ phase: "importing", bytesDone: done, bytesTotal: total, spans: sink.spanCount }),
      );
    } catch (err) {
      if (err instanceof FileFormatError) throw new TaskError(err.message, whereText(err));
      throw err;
    }
    if (opened.head.trim() === "") throw new TaskError("The file is empty", `${input.name}: ${total} bytes, no content`);
    const format = await chooseFormat(input.format || "auto", opened, signal);
    try {
      await format.read(opened.source, sink, opened.head);
      sink.flush();
    } catch (err) {
      if (signal.aborted || err instanceof TaskError) throw err;
      if (err instanceof FileFormatError) {
        throw new TaskError(err.message, `Read as ${format.label}. ${whereText(err)}`);
      }
      throw err;
    }
    progress({ phase: "finishing", bytesDone: total, bytesTotal: total, spans: sink.spanCount });
    signal.throwIfAborted();
    refreshJobTraces(store, job.id);
    const counts = sink.counts();
    if (counts.spans === 0 && counts.errors > 0) {
      const first = sink.errorSamples[0]!;
      throw new TaskError(
        `No spans could be imported: ${counts.errors} record${counts.errors === 1 ? " has" : "s have"} errors (first at ${describeLocation(first) || "the start"}: ${first.message})`,
        `Read as ${format.label}. ${counts.errors} skipped record(s), no valid span:\n` +
          sink.errorSamples.slice(0, 20).map((e) => `${describeLocation(e) || "?"}: ${e.message}`).join("\n"),
      );
    }
    const result: ImportResult = {
      format: format.id,
      gzip: opened.gzip,
      ...counts,
      bytes: total,
      durationMs: Math.round(performance.now() - started),
      samples: sink.errorSamples,
      warningSamples: sink.warningSamples,
    };
    return result;
  }
}
