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
const STREAM_LINE_CHARS = 1024 * 1024;

const encoder = new TextEncoder();

/**
 * Reads one long line as an OTLP JSON document. Its issues carry the line
 * number; a syntax error is the line's error. Unlike a short line, the spans
 * before a syntax error in the line have already been kept.
 */
async function readLongLine(text: string, line: number, sink: SpanSink): Promise<boolean> {
  const bytes = encoder.encode(text);
  const lineSink: SpanSink = {
    span: (s) => sink.span(s),
    issue: (i: RecordIssue) => sink.issue({ ...i, line }),
    signal: sink.signal,
  };
  const probe: ContentProbe = { shape: "json-document", bytes: bytes.subarray(0, 64 * 1024), text: text.slice(0, 64 * 1024) };
  try {
    await otlpJson.read((async function* () { yield bytes; })(), lineSink, probe);
    return true;
  } catch (err) {
    if (!(err instanceof FileFormatError)) throw err;
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
    for await (const { first, lines } of readLines(source)) {
      sink.signal.throwIfAborted();
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!;
        if (text.trim() === "") continue;
        const line = first + i;
        if (text.length > STREAM_LINE_CHARS) {
          if (await readLongLine(text, line, sink)) requests++;
          continue;
        }
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
