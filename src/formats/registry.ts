/**
 * The import formats. Adding a format is one module in src/formats and one line
 * in FORMATS. Detection first decides the content's shape from its bytes
 * (src/import/content-shape.ts); each format's sniffer then looks at the
 * shape and the first 64 KiB. Where two could match, the earlier one wins.
 */
import { jaegerJson } from "./jaeger/jaeger-json.ts";
import { otlpJson } from "./otlp/otlp-json.ts";
import { otlpJsonLines } from "./otlp/otlp-jsonl.ts";
import { otlpProto } from "./otlp/otlp-proto.ts";
import { otlpProtoStream } from "./otlp/otlp-proto-stream.ts";
import type { ContentProbe, TraceFormat } from "./types.ts";
import { zipkinJson } from "./zipkin/zipkin-json.ts";

export const FORMATS: readonly TraceFormat[] = [otlpJsonLines, otlpJson, otlpProto, otlpProtoStream, jaegerJson, zipkinJson];

/** Bytes of decoded text that detection looks at. */
export const SNIFF_BYTES = 64 * 1024;

export function formatById(id: string): TraceFormat | undefined {
  return FORMATS.find((f) => f.id === id);
}

/** Accepted values of the `format` option. */
export const FORMAT_OPTIONS: readonly string[] = ["auto", ...FORMATS.map((f) => f.id)];

/** The format that reads this content, judged from its shape and start; null if none does. */
export function detectFormat(probe: ContentProbe): TraceFormat | null {
  return FORMATS.find((f) => f.sniff(probe)) ?? null;
}
