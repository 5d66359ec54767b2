import { parseJsonExact } from "../json-exact.ts";
import { readLines, type LongLine } from "../line-reader.ts";
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

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/**
 * Reads one long line as an OTLP JSON document, its pieces fed to the document
 * reader as the file's chunks arrive: the line is never joined, so it costs
 * the chunks in flight, not its length (and the reader thread's backpressure,
 * checked before each chunk is read, holds within a line too). Its issues
 * carry the line number; a syntax error is the line's error, and the line
 * reader skips the rest of the line. The document reader counts bytes from
 * the line's start, as it did when it was given the joined line, so positions
 * in its messages are the same. Unlike a short line, the spans before a syntax
 * error in the line have already been kept. A line of nothing but whitespace
 * is skipped like a short blank line. Returns whether the line was a request.
 */
async function readLongLine(longLine: LongLine, sink: SpanSink): Promise<boolean> {
  const { line } = longLine;
  const lineSink: SpanSink = {
    span: (s) => sink.span(s),
    issue: (i: RecordIssue) => sink.issue({ ...i, line }),
    signal: sink.signal,
  };
  let content = false;
  async function* pieces() {
    for await (const piece of longLine) {
      // Until something else is seen, the line may be blank.
      if (!content) content = piece.some((b) => !isWhitespace(b));
      yield piece;
    }
  }
  // otlpJson reads no probe (it is for detection): the line's start need not be kept for one.
  const probe: ContentProbe = { shape: "json-document", bytes: new Uint8Array(0), text: "" };
  try {
    await otlpJson.read(pieces(), lineSink, probe);
    return true;
  } catch (err) {
    // Not the line's fault: the input failed (a decompression error, cancellation).
    if (longLine.sourceError !== undefined || !(err instanceof FileFormatError)) throw err;
    if (!content) return false;
    sink.issue({ line, severity: "error", message: `invalid JSON: ${err.message}` });
    return false;
  }
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
          if (await readLongLine(text, sink)) requests++;
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
