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

export interface TraceFormat {
  /** Stable id, used in the `format` option and in the result. */
  id: string;
  label: string;
  /**
   * Looks at the start of the decoded text (up to 64 KiB) and answers whether
   * this format reads it. Content decides, never the file name.
   */
  sniff(head: string): boolean;
  /** Reads the whole source; `head` is what sniff saw (the source starts again from byte 0). */
  read(source: ByteSource, sink: SpanSink, head: string): Promise<void>;
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
