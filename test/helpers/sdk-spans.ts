/**
 * Spans made by the real OpenTelemetry JS SDK, and its real serializers: what
 * OTLP exporters send and what the Collector then writes to files.
 */
import { context, trace, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

/**
 * `traces` traces of `perTrace` spans each (a root, then children of the
 * previous span, so the depth grows), over two services, with attributes of
 * several types and an error status on every seventh span.
 */
export function sdkSpans(traces: number, perTrace: number): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const out: ReadableSpan[] = [];
  for (const service of ["checkout", "payments"]) {
    const provider = new TracerProvider({ resource: resourceFromAttributes({ "service.name": service }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer("traceport-tests", "1.0.0");
    for (let t = 0; t < Math.ceil(traces / 2); t++) {
      let ctx = context.active();
      for (let i = 0; i < perTrace; i++) {
        const span = tracer.startSpan(`op-${i % 5}`, { kind: i === 0 ? SpanKind.SERVER : SpanKind.INTERNAL, startTime: [1_700_000_000 + t, i * 1000], attributes: { "http.status_code": 200 + i, ok: i % 2 === 0, ratio: i / 3, tag: `t${i}` } }, ctx);
        if (i % 7 === 6) span.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
        span.end([1_700_000_000 + t, i * 1000 + 500]);
        ctx = trace.setSpan(ctx, span);
      }
    }
    out.push(...exporter.getFinishedSpans());
    exporter.reset();
  }
  return out.slice(0, traces * perTrace);
}

export function sdkJson(spans: ReadableSpan[]): Uint8Array {
  return JsonTraceSerializer.serializeRequest(spans)!;
}

export function sdkProtobuf(spans: ReadableSpan[]): Uint8Array {
  return ProtobufTraceSerializer.serializeRequest(spans)!;
}

/** Each message preceded by its length, 4 bytes big-endian, as the Collector's file exporter writes `format: proto`. */
export function lengthPrefixed(messages: Uint8Array[]): Uint8Array {
  const total = messages.reduce((n, m) => n + 4 + m.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const m of messages) {
    view.setUint32(at, m.length, false);
    out.set(m, at + 4);
    at += 4 + m.length;
  }
  return out;
}

/** Splits spans into batches of `size`, one request each. */
export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
