import { streamJsonValues } from "../json-stream.ts";
import { emitRecord, jsonPath } from "../record-emitter.ts";
import type { ByteSource, SpanSink, TraceFormat } from "../types.ts";
import { normaliseZipkinSpan } from "./zipkin-span.ts";

/**
 * Zipkin v2 JSON: an array of spans (the /api/v2 shape), or a single span
 * object, accepted as if it were wrapped in an array. Streamed span by span.
 */
export const zipkinJson: TraceFormat = {
  id: "zipkin",
  label: "Zipkin v2 JSON",
  sniff(head) {
    return /^\s*[[{]/.test(head) && /"traceId"\s*:/.test(head) && /"id"\s*:/.test(head) && !/"(resourceSpans|spanId)"\s*:/.test(head);
  },
  async read(source: ByteSource, sink: SpanSink, head: string) {
    const paths = /^\s*\[/.test(head) ? ["$.*"] : ["$"];
    await streamJsonValues(
      source,
      paths,
      ({ value, keys }) => emitRecord(sink, () => ({ path: jsonPath(keys.filter((k) => k !== undefined)) }), (w) => normaliseZipkinSpan(value, w)),
      sink.signal,
    );
  },
};
