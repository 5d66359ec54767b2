import { parseJsonExact } from "../json-exact.ts";
import { readLines } from "../line-reader.ts";
import { FileFormatError, type ByteSource, type ContentProbe, type RecordIssue, type SpanSink, type TraceFormat } from "../types.ts";
import { otlpJson } from "./otlp-json.ts";
import { emitOtlpRequest } from "./otlp-request.ts";

/**
 * Lines longer than this (batching exporters and the Collector write lines of
 * many megabytes) are read as a stream, span by span, like a document, rather
 * than parsed whole: parsing an 8 MiB line at once holds its whole object tree
 * and its normalised copy. Shorter lines are faster parsed whole.
 */
const STREAM_LINE_BYTES = 1024 * 1024;

/** A long line is handed to the document reader in pieces of this size, as a file would be. */
const PIECE_BYTES = 512 * 1024;

const decoder = new TextDecoder();

/**
 * Reads one long line as an OTLP JSON document. Its issues carry the line
 * number; a syntax error is the line's error. Unlike a short line, the spans
 * before a syntax error in the line have already been kept.
 */
async function readLongLine(bytes: Uint8Array, line: number, sink: SpanSink): Promise<boolean> {
  const lineSink: SpanSink = {
    span: (s) => sink.span(s),
    issue: (i: RecordIssue) => sink.issue({ ...i, line }),
    signal: sink.signal,
  };
  const head = bytes.subarray(0, 64 * 1024);
  const probe: ContentProbe = { shape: "json-document", bytes: head, text: decoder.decode(head) };
  async function* pieces() {
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
  }
  try {
    await otlpJson.read(pieces(), lineSink, probe);
    return true;
  } catch (err) {
    if (!(err instanceof FileFormatError)) throw err;
    sink.issue({ line, severity: "error", message: `invalid JSON: ${err.message}` });
    return false;
  }
}

/** A line of nothing but ASCII whitespace (a blank line, which is skipped like a short blank line). */
function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0b && b !== 0x0c) return false;
  return true;
}

/**
 * OTLP JSON Lines: one ExportTraceServiceRequest per line, as the OpenTelemetry
 * Collector's file exporter writes. Each line is parsed on its own, so a bad
 * line is reported by number and the others are still imported.
 */
export const otlpJsonLines: TraceFormat = {
  id: "otlp-jsonl",
  label: "OTLP JSON Lines",
  sniff({ shape, text }) {
    return shape === "json-lines" && /"(resourceSpans|batches)"\s*:/.test(text);
  },
  async read(source: ByteSource, sink: SpanSink) {
    let requests = 0;
    for await (const { first, lines } of readLines(source, STREAM_LINE_BYTES)) {
      sink.signal.throwIfAborted();
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!;
        const line = first + i;
        if (typeof text !== "string") {
          if (!isBlank(text) && (await readLongLine(text, line, sink))) requests++;
          continue;
        }
        if (text.trim() === "") continue;
        let req: unknown;
        try {
          // Exact beyond 2^53: producers write int64 fields (times, intValue) as JSON numbers.
          req = parseJsonExact(text);
        } catch (err) {
          sink.issue({ line, severity: "error", message: `invalid JSON: ${(err as Error).message}` });
          continue;
        }
        requests++;
        emitOtlpRequest(req, [], { line }, sink);
      }
    }
    if (requests === 0) throw new FileFormatError("no line holds valid JSON");
  },
};
