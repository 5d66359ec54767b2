import { streamJsonValues } from "../json-stream.ts";
import { emitRecord, jsonPath } from "../record-emitter.ts";
import type { ByteSource, ContentProbe, SpanSink, TraceFormat } from "../types.ts";
import { normaliseZipkinSpan } from "./zipkin-span.ts";

/**
 * Zipkin v2 JSON: an array of spans (the /api/v2 shape), or a single span
 * object, accepted as if it were wrapped in an array. Streamed span by span.
 */
export const zipkinJson: TraceFormat = {
  id: "zipkin",
  label: "Zipkin v2 JSON",
  sniff({ shape, text }) {
    return shape === "json-document" && /^\s*[[{]/.test(text) && /"traceId"\s*:/.test(text) && /"id"\s*:/.test(text) && !/"(resourceSpans|spanId)"\s*:/.test(text);
  },
  async read(source: ByteSource, sink: SpanSink, { text: head }: ContentProbe) {
    const paths = /^\s*\[/.test(head) ? ["$.*"] : ["$"];
    await streamJsonValues(
      source,
      paths,
      ({ value, keys }) => emitRecord(sink, () => ({ path: jsonPath(keys.filter((k) => k !== undefined)) }), (w) => normaliseZipkinSpan(value, w)),
      sink.signal,
    );
  },
};
