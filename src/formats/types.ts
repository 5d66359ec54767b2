/**
 * The normalised span every format produces, and the contract a format module
 * fulfils. Values follow OTLP's JSON mapping, normalised so that the same span
 * always serialises the same way: intValue is a decimal string (exact beyond
 * 2^53), bytesValue is base64, ids are lower-case hex.
 */

export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | string }
  | { bytesValue: string }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;

export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface SpanEvent {
  timeUnixNano: string | null;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  flags?: number;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}

export interface InstrumentationScope {
  name: string;
  version?: string;
  attributes?: KeyValue[];
}

export interface NormalisedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** resource `service.name`, or null when the file gives none. */
  service: string | null;
  startNs: bigint | null;
  endNs: bigint | null;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string | null;
  traceState: string | null;
  flags: number | null;
  attributes: KeyValue[];
  events: SpanEvent[];
  links: SpanLink[];
  resource: KeyValue[];
  scope: InstrumentationScope | null;
  /** OTLP ResourceSpans.schema_url, or null when absent or empty. */
  resourceSchemaUrl: string | null;
  /** OTLP ScopeSpans.schema_url, or null when absent or empty. */
  scopeSchemaUrl: string | null;
  /** What the producer dropped from this span (OTLP dropped_*_count; 0 when none). */
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

/**
 * Where in the file something is: a line (JSON Lines), a message of a binary
 * or length-prefixed stream (numbered from 1) and the byte offset where it
 * starts in the decompressed stream, and/or a path inside the record (a JSON
 * path, or the same path for a protobuf message's fields).
 */
export interface Location {
  line?: number;
  messageNumber?: number;
  offset?: number;
  path?: string;
}

export interface RecordIssue extends Location {
  severity: "error" | "warning";
  message: string;
  /** A warning that strict mode treats as an error (e.g. an id of non-standard length). */
  strictError?: boolean;
}

/** Something unusual about a record that was still accepted. */
export interface Warning {
  message: string;
  strictError?: boolean;
}

/** Receives what a reader finds. A reader checks `signal` at least once per chunk. */
export interface SpanSink {
  span(span: NormalisedSpan): void;
  issue(issue: RecordIssue): void;
  readonly signal: AbortSignal;
}

/** The (decompressed) file's bytes, in chunks. */
export type ByteSource = AsyncIterable<Uint8Array>;

/**
 * How the decompressed content is laid out, decided from its bytes alone
 * (src/import/content-shape.ts): JSON text whose first top-level value is
 * followed by another one after a newline (JSON Lines) or by nothing (one
 * document); a stream of messages each preceded by a 4-byte big-endian length
 * (the Collector's file exporter with `format: proto`, or legacy zstd); one
 * binary protobuf message; or none of these.
 */
export type ContentShape = "json-lines" | "json-document" | "length-prefixed" | "protobuf" | "unknown";

/** What detection saw of the decompressed content, before any format reads it. */
export interface ContentProbe {
  shape: ContentShape;
  /** The first bytes (up to 64 KiB, after a UTF-8 byte order mark). */
  bytes: Uint8Array;
  /** The same bytes decoded as UTF-8 (meaningful for JSON shapes). */
  text: string;
}

export interface TraceFormat {
  /** Stable id, used in the `format` option and in the result. */
  id: string;
  label: string;
  /**
   * Answers whether this format reads content of this shape that starts like
   * this. Content decides, never the file name.
   */
  sniff(probe: ContentProbe): boolean;
  /**
   * Reads the whole source (it starts again from byte 0); `probe` is what
   * sniff saw. May resolve with a detail for the result's "detected" line
   * (e.g. "12 messages, each zstd-compressed").
   */
  read(source: ByteSource, sink: SpanSink, probe: ContentProbe): Promise<string | void>;
}

/** A record that cannot be imported; the reader adds the location. */
export class RecordError extends Error {
  override name = "RecordError";
}

/** The whole file cannot be read (not JSON, not this format). */
export class FileFormatError extends Error {
  override name = "FileFormatError";
  constructor(
    message: string,
    readonly where: Location & { column?: number; offset?: number } = {},
  ) {
    super(message);
  }
}
