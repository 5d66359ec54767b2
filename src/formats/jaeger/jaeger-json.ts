import { streamJsonValues, type JsonKey } from "../json-stream.ts";
import { emitRecord, jsonPath } from "../record-emitter.ts";
import { FileFormatError, RecordError, type ByteSource, type ContentProbe, type SpanSink, type TraceFormat } from "../types.ts";
import { jaegerProcess, NO_PROCESS, normaliseJaegerSpan, type JaegerProcess } from "./jaeger-span.ts";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Emits every span of one Jaeger trace object ({traceID, spans, processes}). */
function emitTrace(trace: Record<string, unknown>, keys: JsonKey[], sink: SpanSink): void {
  const processes = new Map<string, JaegerProcess>();
  if (isObject(trace.processes)) {
    for (const [id, p] of Object.entries(trace.processes)) {
      try {
        processes.set(id, jaegerProcess(p, `processes.${id}`));
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        sink.issue({ path: jsonPath([...keys, "processes", id]), severity: "warning", message: `${err.message}; process ignored` });
      }
    }
  }
  const spans = trace.spans;
  if (!Array.isArray(spans)) {
    sink.issue({ path: jsonPath([...keys, "spans"]), severity: "error", message: "trace has no spans array" });
    return;
  }
  spans.forEach((raw, i) => emitSpan(raw, [...keys, "spans", i], processes, sink));
}

function emitSpan(raw: unknown, keys: JsonKey[], processes: Map<string, JaegerProcess>, sink: SpanSink): void {
  emitRecord(sink, () => ({ path: jsonPath(keys) }), (warnings) => {
    let process: JaegerProcess = NO_PROCESS;
    if (isObject(raw) && isObject(raw.process)) {
      process = jaegerProcess(raw.process, "process");
    } else if (isObject(raw) && typeof raw.processID === "string") {
      const found = processes.get(raw.processID);
      if (found) process = found;
      else warnings.push({ message: `process ${JSON.stringify(raw.processID)} is not in the trace's processes` });
    }
    return normaliseJaegerSpan(raw, process, warnings);
  });
}

/** One element of a top-level array: a trace, or (as the Jaeger anonymizer writes) a span. */
function emitElement(value: unknown, keys: JsonKey[], sink: SpanSink): void {
  if (isObject(value) && Array.isArray(value.spans)) emitTrace(value, keys, sink);
  else if (isObject(value) && "spanID" in value) emitSpan(value, keys, new Map(), sink);
  else sink.issue({ path: jsonPath(keys), severity: "error", message: "neither a Jaeger trace (with spans) nor a span" });
}

/**
 * Jaeger JSON, as the query API and the Jaeger UI write it: `{"data": [traces]}`,
 * `{"data": trace}`, a bare trace object, an array of traces, or the
 * anonymizer's array of spans with embedded processes. Read as a stream one
 * trace at a time (a trace's processes may follow its spans).
 */
export const jaegerJson: TraceFormat = {
  id: "jaeger",
  label: "Jaeger JSON",
  sniff({ shape, text }) {
    return shape === "json-document" && /^\s*[[{]/.test(text) && /"(traceID|spanID|operationName)"\s*:/.test(text);
  },
  async read(source: ByteSource, sink: SpanSink, { text: head }: ContentProbe) {
    let paths: string[];
    let handle: (value: unknown, keys: JsonKey[]) => void;
    if (/"data"\s*:\s*\[/.test(head)) {
      paths = ["$.data.*"];
      handle = (value, keys) => (isObject(value) ? emitTrace(value, keys, sink) : sink.issue({ path: jsonPath(keys), severity: "error", message: "trace is not an object" }));
    } else if (/"data"\s*:\s*\{/.test(head)) {
      paths = ["$.data"];
      handle = (value, keys) => emitTrace(value as Record<string, unknown>, keys, sink);
    } else if (/^\s*\[/.test(head)) {
      paths = ["$.*"];
      handle = (value, keys) => emitElement(value, keys, sink);
    } else {
      paths = ["$"];
      handle = (value, keys) => {
        if (isObject(value) && Array.isArray(value.spans)) return emitTrace(value, keys, sink);
        throw new FileFormatError(
          'Not a Jaeger trace file: the top level is a single span object; expected {"data": [...]}, a trace with "spans", or an array',
        );
      };
    }
    await streamJsonValues(source, paths, ({ value, keys }) => handle(value, keys.filter((k) => k !== undefined)), sink.signal);
  },
};
