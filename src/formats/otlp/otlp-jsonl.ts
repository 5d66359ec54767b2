import { parseJsonExact } from "../json-exact.ts";
import { readLines } from "../line-reader.ts";
import { FileFormatError, type ByteSource, type SpanSink, type TraceFormat } from "../types.ts";
import { emitOtlpRequest } from "./otlp-request.ts";

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
