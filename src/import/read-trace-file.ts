import { statSync } from "node:fs";
import { detectFormat, FORMATS, formatById } from "../formats/registry.ts";
import { streamJsonValues } from "../formats/json-stream.ts";
import { FileFormatError, type ContentProbe, type SpanSink, type TraceFormat } from "../formats/types.ts";
import { TaskError } from "../util/errors.ts";
import { nameHint, hintConflict } from "./name-hint.ts";
import { openInput, type Compression, type OpenedInput } from "./open-input.ts";

function whereText(err: FileFormatError): string {
  const w = err.where;
  const parts = [w.line !== undefined ? `line ${w.line}` : null, w.column !== undefined ? `column ${w.column}` : null, w.offset !== undefined ? `byte ${w.offset}` : null, w.path ?? null];
  const at = parts.filter(Boolean).join(", ");
  return at ? `Position: ${at}.` : "";
}

/** The first bytes, as text when they are text, as hex otherwise. */
function preview(probe: ContentProbe): string {
  const text = probe.text.trim().slice(0, 80).replace(/\s+/g, " ");
  if (text.length === 0) return "(nothing)";
  // Mostly printable: show it as text; otherwise as the bytes it is.
  const printable = [...text].filter((c) => c >= " " && c !== "\uFFFD").length;
  if (printable >= text.length * 0.9) return JSON.stringify(text);
  return `the bytes ${[...probe.bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`;
}

const SHAPE_TEXT: Record<ContentProbe["shape"], string> = {
  "json-lines": "JSON Lines",
  "json-document": "one JSON document",
  "length-prefixed": "length-prefixed messages",
  protobuf: "one protobuf message",
  unknown: "neither JSON nor OTLP protobuf",
};

/**
 * The format to read with. When detection finds none and the content looks like
 * JSON, the file is parsed (streamed, nothing kept) so that a syntax error is
 * reported with its position rather than as "not a trace file".
 */
async function chooseFormat(requested: string, opened: OpenedInput, name: string, signal: AbortSignal): Promise<TraceFormat> {
  if (requested !== "auto") {
    const f = formatById(requested);
    if (!f) throw new TaskError(`Unknown format "${requested}"`, `Known formats: ${FORMATS.map((x) => x.id).join(", ")}`);
    return f;
  }
  const f = detectFormat(opened.probe);
  if (f) return f;
  const expected = `Expected one of: ${FORMATS.map((x) => x.label).join(", ")}; optionally gzip- or zstd-compressed.`;
  const hint = nameHint(name);
  const named = hint.label ? ` The name ${name} suggests ${hint.label}.` : "";
  if (opened.probe.shape === "json-document" || opened.probe.shape === "json-lines") {
    try {
      await streamJsonValues(opened.source, [], () => {}, signal);
    } catch (err) {
      if (err instanceof FileFormatError) throw new TaskError(err.message, whereText(err) + named);
      throw err;
    }
    const firstKey = /^\s*\{\s*"((?:[^"\\]|\\.){1,64})"/.exec(opened.probe.text)?.[1];
    throw new TaskError(
      `Not a recognised trace file: valid JSON, but no trace data${firstKey ? ` (its first key is "${firstKey}")` : ""}`,
      `${expected} The file starts with ${preview(opened.probe)}.${named}`,
    );
  }
  throw new TaskError(
    `Not a recognised trace file: its content is ${SHAPE_TEXT[opened.probe.shape]}`,
    `${expected} The file starts with ${preview(opened.probe)}.${named}`,
  );
}

export interface ReadTraceFileOptions {
  path: string;
  /** The file's name as the user gave it, for messages and as a hint. */
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

export interface ReadTraceFileResult {
  format: TraceFormat;
  compression: Compression | null;
  /** What was detected, in words: "OTLP JSON Lines, zstd-compressed", with the reader's detail. */
  detected: string;
}

/**
 * Reads a trace file from disk into `sink`: opens it (decompressing gzip or
 * zstd), checks it is not empty, chooses the format (given, or detected from
 * the content: the file name is only a hint, reported when it disagrees) and
 * runs that format's reader. Whatever makes the file unreadable becomes a
 * TaskError with the reason and, where known, the position.
 */
export async function readTraceFile(o: ReadTraceFileOptions): Promise<ReadTraceFileResult> {
  let opened: OpenedInput;
  try {
    opened = await openInput(o.path, o.signal, o.onRawBytes, o.beforeChunk);
  } catch (err) {
    if (err instanceof FileFormatError) throw new TaskError(err.message, whereText(err));
    throw err;
  }
  if (opened.probe.bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) {
    throw new TaskError("The file is empty", `${o.name}: ${statSync(o.path).size} bytes, no content`);
  }
  const format = await chooseFormat(o.format || "auto", opened, o.name, o.signal);
  const conflict = hintConflict(nameHint(o.name), format, opened.compression);
  if (conflict) o.sink.issue({ severity: "warning", message: conflict });
  let detail: string | void;
  try {
    detail = await format.read(opened.source, o.sink, opened.probe);
  } catch (err) {
    if (o.signal.aborted || err instanceof TaskError) throw err;
    if (err instanceof FileFormatError) throw new TaskError(err.message, `Read as ${format.label}${opened.compression ? `, ${opened.compression}-compressed` : ""}. ${whereText(err)}`);
    throw err;
  }
  const detected = [format.label, opened.compression ? `${opened.compression}-compressed` : null, detail || null].filter(Boolean).join(", ");
  return { format, compression: opened.compression, detected };
}
