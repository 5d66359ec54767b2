import { detectFormat, FORMATS, formatById } from "../formats/registry.ts";
import { streamJsonValues } from "../formats/json-stream.ts";
import { FileFormatError, type SpanSink, type TraceFormat } from "../formats/types.ts";
import { TaskError } from "../util/errors.ts";
import { openInput, type OpenedInput } from "./open-input.ts";

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

export interface ReadTraceFileOptions {
  path: string;
  /** The file's name as the user gave it, for messages. */
  name: string;
  /** A format id, or "auto". */
  format: string;
  sink: SpanSink;
  signal: AbortSignal;
  /** Bytes read from disk so far (compressed bytes for gzip). */
  onRawBytes(total: number): void;
  /** Awaited before each chunk is handed on: where a reader that runs ahead waits. */
  beforeChunk?: () => Promise<void> | undefined;
}

/**
 * Reads a trace file from disk into `sink`: opens it (gzip or not), checks it
 * is not empty, chooses the format (given, or detected from the content) and
 * runs that format's reader. Whatever makes the file unreadable becomes a
 * TaskError with the reason and, where known, the position.
 */
export async function readTraceFile(o: ReadTraceFileOptions): Promise<{ format: TraceFormat; gzip: boolean }> {
  let opened: OpenedInput;
  try {
    opened = await openInput(o.path, o.signal, o.onRawBytes, o.beforeChunk);
  } catch (err) {
    if (err instanceof FileFormatError) throw new TaskError(err.message, whereText(err));
    throw err;
  }
  if (opened.head.trim() === "") throw new TaskError("The file is empty", `${o.name}: ${Bun.file(o.path).size} bytes, no content`);
  const format = await chooseFormat(o.format || "auto", opened, o.signal);
  try {
    await format.read(opened.source, o.sink, opened.head);
  } catch (err) {
    if (o.signal.aborted || err instanceof TaskError) throw err;
    if (err instanceof FileFormatError) throw new TaskError(err.message, `Read as ${format.label}. ${whereText(err)}`);
    throw err;
  }
  return { format, gzip: opened.gzip };
}
