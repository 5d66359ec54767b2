/**
 * OTLP protobuf (binary) decoding: an ExportTraceServiceRequest, or TracesData
 * (same field 1), straight into NormalisedSpan, with the same rules and the
 * same messages as the JSON normaliser (otlp-span.ts, any-value.ts, ids.ts).
 *
 * Hand-written against the field numbers of the official opentelemetry-proto
 * definitions (no generated code), on @bufbuild/protobuf's wire reader.
 *
 * Field numbers used (wire type: V varint, I64 fixed 8 bytes, LEN length-delimited, I32 fixed 4 bytes):
 *
 * | message                       | field                         | no.  | wire | .proto file                                            |
 * |-------------------------------|-------------------------------|------|------|--------------------------------------------------------|
 * | ExportTraceServiceRequest     | resource_spans                | 1    | LEN  | opentelemetry/proto/collector/trace/v1/trace_service.proto |
 * | TracesData                    | resource_spans                | 1    | LEN  | opentelemetry/proto/trace/v1/trace.proto               |
 * | ResourceSpans                 | resource                      | 1    | LEN  | trace/v1/trace.proto                                   |
 * |                               | scope_spans                   | 2    | LEN  | trace/v1/trace.proto                                   |
 * |                               | schema_url                    | 3    | LEN  | trace/v1/trace.proto                                   |
 * |                               | instrumentation_library_spans | 1000 | LEN  | trace/v1/trace.proto before v1.0 (now `reserved 1000`) |
 * | ScopeSpans                    | scope                         | 1    | LEN  | trace/v1/trace.proto                                   |
 * | (InstrumentationLibrarySpans) | spans                         | 2    | LEN  | trace/v1/trace.proto                                   |
 * |                               | schema_url                    | 3    | LEN  | trace/v1/trace.proto                                   |
 * | Span                          | trace_id                      | 1    | LEN  | trace/v1/trace.proto (bytes)                           |
 * |                               | span_id                       | 2    | LEN  | trace/v1/trace.proto (bytes)                           |
 * |                               | trace_state                   | 3    | LEN  | trace/v1/trace.proto                                   |
 * |                               | parent_span_id                | 4    | LEN  | trace/v1/trace.proto (bytes)                           |
 * |                               | name                          | 5    | LEN  | trace/v1/trace.proto                                   |
 * |                               | kind                          | 6    | V    | trace/v1/trace.proto (enum SpanKind)                   |
 * |                               | start_time_unix_nano          | 7    | I64  | trace/v1/trace.proto (fixed64)                         |
 * |                               | end_time_unix_nano            | 8    | I64  | trace/v1/trace.proto (fixed64)                         |
 * |                               | attributes                    | 9    | LEN  | trace/v1/trace.proto (repeated KeyValue)               |
 * |                               | dropped_attributes_count      | 10   | V    | trace/v1/trace.proto (uint32)                          |
 * |                               | events                        | 11   | LEN  | trace/v1/trace.proto (repeated Span.Event)             |
 * |                               | dropped_events_count          | 12   | V    | trace/v1/trace.proto (uint32)                          |
 * |                               | links                         | 13   | LEN  | trace/v1/trace.proto (repeated Span.Link)              |
 * |                               | dropped_links_count           | 14   | V    | trace/v1/trace.proto (uint32)                          |
 * |                               | status                        | 15   | LEN  | trace/v1/trace.proto (Status)                          |
 * |                               | flags                         | 16   | I32  | trace/v1/trace.proto (fixed32)                         |
 * | Span.Event                    | time_unix_nano                | 1    | I64  | trace/v1/trace.proto (fixed64)                         |
 * |                               | name                          | 2    | LEN  | trace/v1/trace.proto                                   |
 * |                               | attributes                    | 3    | LEN  | trace/v1/trace.proto                                   |
 * |                               | dropped_attributes_count      | 4    | V    | trace/v1/trace.proto (uint32)                          |
 * | Span.Link                     | trace_id                      | 1    | LEN  | trace/v1/trace.proto (bytes)                           |
 * |                               | span_id                       | 2    | LEN  | trace/v1/trace.proto (bytes)                           |
 * |                               | trace_state                   | 3    | LEN  | trace/v1/trace.proto                                   |
 * |                               | attributes                    | 4    | LEN  | trace/v1/trace.proto                                   |
 * |                               | dropped_attributes_count      | 5    | V    | trace/v1/trace.proto (uint32)                          |
 * |                               | flags                         | 6    | I32  | trace/v1/trace.proto (fixed32)                         |
 * | Status                        | message                       | 2    | LEN  | trace/v1/trace.proto (1 is reserved: old deprecated_code) |
 * |                               | code                          | 3    | V    | trace/v1/trace.proto (enum StatusCode)                 |
 * | Resource                      | attributes                    | 1    | LEN  | opentelemetry/proto/resource/v1/resource.proto         |
 * | InstrumentationScope          | name                          | 1    | LEN  | opentelemetry/proto/common/v1/common.proto             |
 * | (InstrumentationLibrary)      | version                       | 2    | LEN  | common/v1/common.proto                                 |
 * |                               | attributes                    | 3    | LEN  | common/v1/common.proto (scope only)                    |
 * | KeyValue                      | key                           | 1    | LEN  | common/v1/common.proto                                 |
 * |                               | value                         | 2    | LEN  | common/v1/common.proto (AnyValue)                      |
 * | AnyValue (oneof value)        | string_value                  | 1    | LEN  | common/v1/common.proto                                 |
 * |                               | bool_value                    | 2    | V    | common/v1/common.proto                                 |
 * |                               | int_value                     | 3    | V    | common/v1/common.proto (int64)                         |
 * |                               | double_value                  | 4    | I64  | common/v1/common.proto (double)                        |
 * |                               | array_value                   | 5    | LEN  | common/v1/common.proto (ArrayValue)                    |
 * |                               | kvlist_value                  | 6    | LEN  | common/v1/common.proto (KeyValueList)                  |
 * |                               | bytes_value                   | 7    | LEN  | common/v1/common.proto                                 |
 * | ArrayValue                    | values                        | 1    | LEN  | common/v1/common.proto (repeated AnyValue)             |
 * | KeyValueList                  | values                        | 1    | LEN  | common/v1/common.proto (repeated KeyValue)             |
 *
 * Everything else (Resource.dropped_attributes_count and entity_refs, the
 * scope's dropped_attributes_count, Status field 1, future fields) is skipped.
 * A known field with another wire type than the one above is a wire error.
 *
 * Proto3 semantics where JSON differs: an absent string is "" (so a KeyValue
 * without key has the key ""), the last of a repeated scalar field wins, a
 * repeated message field (resource, scope, status) merges.
 *
 * After a span's semantic error (a RecordError, e.g. an all-zero id) the rest
 * of that span's bytes are still checked as far as they are read; an attribute
 * nested too deep is skipped by its length.
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { normaliseIdBytes, normaliseParentIdBytes, type IdResult } from "../ids.ts";
import { emitRecord } from "../record-emitter.ts";
import {
  RecordError,
  type AnyValue,
  type InstrumentationScope,
  type KeyValue,
  type Location,
  type NormalisedSpan,
  type SpanEvent,
  type SpanLink,
  type SpanSink,
  type Warning,
} from "../types.ts";
import { MAX_DEPTH, stringAttribute } from "./any-value.ts";

export type SpanOut = Pick<SpanSink, "span" | "issue">;

/** Wire types, bound once as locals for the decoding loops. */
const { Varint: VARINT, Bit64: I64, LengthDelimited: LEN, StartGroup: SGROUP, EndGroup: EGROUP, Bit32: I32 } = WireType;

/** A broken wire encoding: where (byte offset in the reader's buffer) and why. */
class WireError extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(`malformed protobuf: ${reason} at byte ${at} of the message`);
  }
}

/**
 * A value nested deeper than MAX_DEPTH. `segments` collects the JSON-style path
 * from the inside out as the error travels up, so the message names the same
 * path as any-value.ts does for the same value in JSON.
 */
class DepthError {
  readonly segments: string[] = [];
  message(prefix: string): string {
    let path = prefix;
    for (let i = this.segments.length - 1; i >= 0; i--) path += this.segments[i];
    return `${path} is nested more than ${MAX_DEPTH} levels deep`;
  }
}

/** Maps an exception thrown by BinaryReader to a wire error at `at`. */
function readerError(err: unknown, at: number, what: string): WireError {
  if (err instanceof WireError) return err;
  if (err instanceof Error) {
    if (err.message === "invalid varint") return new WireError(what === "varint" ? "varint longer than 10 bytes" : `${what}: varint longer than 10 bytes`, at);
    if (err instanceof RangeError || err.message === "premature EOF") return new WireError(`truncated ${what}`, at);
    return new WireError(`${what}: ${err.message}`, at);
  }
  throw err;
}

/**
 * @bufbuild/protobuf's BinaryReader, with every read bounded by the end of the
 * message being read (the reader itself only checks the end of the buffer) and
 * its errors turned into WireErrors with a byte offset.
 */
class WireReader extends BinaryReader {
  /** The buffer (BinaryReader's own is private). */
  readonly data: Uint8Array;
  constructor(bytes: Uint8Array) {
    super(bytes);
    this.data = bytes;
  }

  /**
   * Whether the varint of `n` bytes at `at` fits in `bits` (32 or 31) bits: a
   * longer encoding is allowed only with zero padding (BinaryReader truncates).
   */
  private fits(at: number, n: number, bits: 31 | 32): boolean {
    if (n < 5) return true;
    const b = this.data;
    if ((b[at + 4]! & 0x7f) > (bits === 32 ? 0x0f : 0x07)) return false;
    for (let i = at + 5; i < at + n; i++) if ((b[i]! & 0x7f) !== 0) return false;
    return true;
  }

  /** A uint32 varint (longer encodings are truncated to 32 bits, as protobuf does). */
  u32(end: number): number {
    // One-byte varints (most tags, lengths and counts) without a call into the reader.
    const p = this.pos;
    if (p < end) {
      const b = this.data[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    return this.u32Long(end);
  }

  private u32Long(end: number): number {
    const at = this.pos;
    let v: number;
    try {
      v = this.uint32();
    } catch (err) {
      throw readerError(err, at, "varint");
    }
    if (this.pos > end) throw new WireError("truncated varint", at);
    return v;
  }

  /** A field's tag: field number << 3 | wire type. */
  key(end: number): number {
    const at = this.pos;
    const tag = this.u32(end);
    if (this.pos - at > 4 && !this.fits(at, this.pos - at, 32)) throw new WireError("tag overflows 32 bits", at);
    if (tag < 8) throw new WireError("invalid field number 0", at);
    const wt = tag & 7;
    if (wt > 5) throw new WireError(`invalid wire type ${wt} (field ${tag >>> 3})`, at);
    return tag;
  }

  /** A length prefix, checked against `end`; returns the end of the field's content. */
  lenEnd(end: number): number {
    const at = this.pos;
    const n = this.u32(end);
    if (!this.fits(at, this.pos - at, 31)) throw new WireError("length overflows 31 bits", at);
    if (this.pos + n > end) throw new WireError(`length ${n} runs past the end`, at);
    return this.pos + n;
  }

  /**
   * A string field. Decoded as BinaryReader.string() does (TextDecoder, not
   * fatal, a leading U+FEFF kept), but short strings come from a small cache of
   * recent ones: attribute keys and most values repeat from span to span, and
   * BinaryReader's own short-string path (String.fromCharCode.apply over a new
   * Array) took half of the decoding time.
   */
  str(end: number): string {
    const e = this.lenEnd(end);
    const s = this.pos;
    this.pos = e;
    return e - s <= CACHED_STRING_BYTES ? cachedString(this.data, s, e) : utf8.decode(this.data.subarray(s, e));
  }

  /** A bytes field, as a view into the buffer (no copy). */
  raw(end: number): Uint8Array {
    const e = this.lenEnd(end);
    const s = this.pos;
    this.pos = e;
    return this.data.subarray(s, e);
  }

  /** Skips a bytes field and returns where its content starts (it ends at `pos`). */
  rawStart(end: number): number {
    const e = this.lenEnd(end);
    const s = this.pos;
    this.pos = e;
    return s;
  }

  /** An int64 varint as a decimal string (exact). */
  int64String(end: number): string {
    // Varints of one or two bytes (0 to 16383: counts, status codes, ports) from a table.
    const p = this.pos;
    if (p < end) {
      const b = this.data[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return smallInt(b);
      }
      if (p + 1 < end) {
        const b2 = this.data[p + 1]!;
        if (b2 < 0x80) {
          this.pos = p + 2;
          return smallInt((b & 0x7f) | (b2 << 7));
        }
      }
    }
    let v: bigint | string;
    try {
      v = this.int64();
    } catch (err) {
      throw readerError(err, p, "varint");
    }
    if (this.pos > end) throw new WireError("truncated varint", p);
    return typeof v === "string" ? v : v.toString();
  }

  boolean(end: number): boolean {
    const at = this.pos;
    let v: boolean;
    try {
      v = this.bool();
    } catch (err) {
      throw readerError(err, at, "varint");
    }
    if (this.pos > end) throw new WireError("truncated varint", at);
    return v;
  }

  f64(end: number): bigint {
    if (this.pos + 8 > end) throw new WireError("truncated fixed64", this.pos);
    const v = this.fixed64();
    return typeof v === "string" ? BigInt(v) : v;
  }

  dbl(end: number): number {
    if (this.pos + 8 > end) throw new WireError("truncated double", this.pos);
    return this.double();
  }

  f32(end: number): number {
    if (this.pos + 4 > end) throw new WireError("truncated fixed32", this.pos);
    return this.fixed32();
  }

  /**
   * A field this decoder does not read: an error when it is a known field
   * (bit `field` of `known`) with the wrong wire type, else skipped.
   */
  other(tag: number, at: number, end: number, known: number): void {
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field < 32 && (known & (1 << field)) !== 0) throw new WireError(`field ${field} has the wrong wire type ${wt}`, at);
    switch (wt) {
      case VARINT:
        this.u32(end);
        return;
      case I64:
        if (this.pos + 8 > end) throw new WireError("truncated fixed64", this.pos);
        this.pos += 8;
        return;
      case LEN:
        this.pos = this.lenEnd(end);
        return;
      case I32:
        if (this.pos + 4 > end) throw new WireError("truncated fixed32", this.pos);
        this.pos += 4;
        return;
      case SGROUP:
        try {
          this.skip(SGROUP, field);
        } catch (err) {
          throw readerError(err, at, "group");
        }
        if (this.pos > end) throw new WireError("truncated group", at);
        return;
      case EGROUP:
        throw new WireError(`unexpected end-group tag (field ${field})`, at);
    }
  }
}

const bit = (...fields: number[]): number => fields.reduce((m, f) => m | (1 << f), 0);
const KNOWN_ANY = bit(1, 2, 3, 4, 5, 6, 7);
const KNOWN_LIST = bit(1);
const KNOWN_KV = bit(1, 2);
const KNOWN_SCOPE = bit(1, 2, 3);
const KNOWN_RESOURCE = bit(1);
const KNOWN_STATUS = bit(2, 3);
const KNOWN_EVENT = bit(1, 2, 3, 4);
const KNOWN_LINK = bit(1, 2, 3, 4, 5, 6);
const KNOWN_SPAN = bit(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
const KNOWN_SCOPE_SPANS = bit(1, 2, 3);
const KNOWN_RESOURCE_SPANS = bit(1, 2, 3); // and 1000, handled by its own case
const KNOWN_REQUEST = bit(1);

// Tags (field << 3 | wire type) of the fields read.
const T1_LEN = (1 << 3) | LEN;
const T1_I64 = (1 << 3) | I64;
const T2_LEN = (2 << 3) | LEN;
const T2_VARINT = (2 << 3) | VARINT;
const T3_LEN = (3 << 3) | LEN;
const T3_VARINT = (3 << 3) | VARINT;
const T4_LEN = (4 << 3) | LEN;
const T4_I64 = (4 << 3) | I64;
const T4_VARINT = (4 << 3) | VARINT;
const T5_LEN = (5 << 3) | LEN;
const T5_VARINT = (5 << 3) | VARINT;
const T6_LEN = (6 << 3) | LEN;
const T6_VARINT = (6 << 3) | VARINT;
const T6_I32 = (6 << 3) | I32;
const T7_LEN = (7 << 3) | LEN;
const T7_I64 = (7 << 3) | I64;
const T8_I64 = (8 << 3) | I64;
const T9_LEN = (9 << 3) | LEN;
const T10_VARINT = (10 << 3) | VARINT;
const T11_LEN = (11 << 3) | LEN;
const T12_VARINT = (12 << 3) | VARINT;
const T13_LEN = (13 << 3) | LEN;
const T14_VARINT = (14 << 3) | VARINT;
const T15_LEN = (15 << 3) | LEN;
const T16_I32 = (16 << 3) | I32;
const T1000_LEN = (1000 << 3) | LEN;

/** Decimal strings of 0 to 16383 (the values of one- and two-byte varints), made on first use. */
const SMALL_INTS: string[] = new Array<string>(1 << 14).fill("");
function smallInt(n: number): string {
  const s = SMALL_INTS[n]!;
  return s !== "" ? s : (SMALL_INTS[n] = String(n));
}

/** The TextDecoder BinaryReader uses (getTextEncoding()): not fatal, BOM kept as text. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Strings up to this many bytes go through the cache. */
const CACHED_STRING_BYTES = 128;
const CACHE_SLOTS = 4096; // a power of two
const cacheBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(CACHE_SLOTS).fill(undefined);
const cacheStrings: string[] = new Array<string>(CACHE_SLOTS).fill("");

/**
 * The string of bytes [start, end) of `buf` from a direct-mapped cache keyed
 * by the bytes themselves (compared in full, so a hit is always exact).
 */
function cachedString(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return "";
  let h = n;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  const key = cacheBytes[slot];
  if (key !== undefined && key.length === n) {
    let i = 0;
    while (i < n && key[i] === buf[start + i]) i++;
    if (i === n) return cacheStrings[slot]!;
  }
  const str = utf8.decode(buf.subarray(start, end));
  cacheBytes[slot] = buf.slice(start, end);
  cacheStrings[slot] = str;
  return str;
}

type WithToBase64 = Uint8Array & { toBase64(): string };
const base64OfBytes: (bytes: Uint8Array) => string =
  typeof (Uint8Array.prototype as Partial<WithToBase64>).toBase64 === "function"
    ? (bytes) => (bytes as WithToBase64).toBase64()
    : (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

// ---------------------------------------------------------------------------
// Common: AnyValue, KeyValue

function anyValue(r: WireReader, end: number, depth: number): AnyValue {
  if (depth > MAX_DEPTH) throw new DepthError();
  let value: AnyValue = {};
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    switch (tag) {
      case T1_LEN:
        value = { stringValue: r.str(end) };
        break;
      case T2_VARINT:
        value = { boolValue: r.boolean(end) };
        break;
      case T3_VARINT:
        value = { intValue: r.int64String(end) };
        break;
      case T4_I64: {
        const d = r.dbl(end);
        value = { doubleValue: Number.isFinite(d) ? d : Number.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity" };
        break;
      }
      case T5_LEN: {
        const e = r.lenEnd(end);
        // A repeated array_value merges into the one before (protobuf's rule for a message field).
        const values: AnyValue[] = "arrayValue" in value ? value.arrayValue.values : [];
        arrayValues(r, e, depth, values);
        value = { arrayValue: { values } };
        break;
      }
      case T6_LEN: {
        const e = r.lenEnd(end);
        const values: KeyValue[] = "kvlistValue" in value ? value.kvlistValue.values : [];
        kvlistValues(r, e, depth, values);
        value = { kvlistValue: { values } };
        break;
      }
      case T7_LEN:
        value = { bytesValue: base64OfBytes(r.raw(end)) };
        break;
      default:
        r.other(tag, at, end, KNOWN_ANY);
    }
  }
  return value;
}

/** ArrayValue.values into `out`; the elements are one level deeper than the array. */
function arrayValues(r: WireReader, end: number, depth: number, out: AnyValue[]): void {
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    if (tag === T1_LEN) {
      const e = r.lenEnd(end);
      const i = out.length;
      try {
        out.push(anyValue(r, e, depth + 1));
      } catch (err) {
        if (err instanceof DepthError) err.segments.push(`.arrayValue.values[${i}]`);
        throw err;
      }
    } else r.other(tag, at, end, KNOWN_LIST);
  }
}

/** KeyValueList.values into `out`, one level deeper (any-value.ts's kvlist rule). */
function kvlistValues(r: WireReader, end: number, depth: number, out: KeyValue[]): void {
  try {
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.key(end);
      if (tag === T1_LEN) out.push(keyValueAt(r, r.lenEnd(end), depth + 1, out.length));
      else r.other(tag, at, end, KNOWN_LIST);
    }
  } catch (err) {
    if (err instanceof DepthError) err.segments.push(".kvlistValue.values");
    throw err;
  }
}

/** One KeyValue, the `index`-th of its list (for the path of a depth error). */
function keyValueAt(r: WireReader, end: number, depth: number, index: number): KeyValue {
  try {
    return keyValue(r, end, depth);
  } catch (err) {
    if (err instanceof DepthError) err.segments.push(`[${index}].value`);
    throw err;
  }
}

function keyValue(r: WireReader, end: number, depth: number): KeyValue {
  let key = "";
  let value: AnyValue | null = null;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    if (tag === T1_LEN) key = r.str(end);
    else if (tag === T2_LEN) value = anyValue(r, r.lenEnd(end), depth);
    else r.other(tag, at, end, KNOWN_KV);
  }
  // A missing value is {} (as JSON's absent `value`), and is still too deep past MAX_DEPTH.
  if (value === null) {
    if (depth > MAX_DEPTH) throw new DepthError();
    value = {};
  }
  return { key, value };
}

/**
 * One repeated-KeyValue field (the bytes up to `end`) appended to `list`.
 * Returns the depth-error message (named `prefix`[i]...) or null; on a depth
 * error the KeyValue is skipped by its length.
 */
function attribute(r: WireReader, end: number, list: KeyValue[], prefix: string): string | null {
  try {
    list.push(keyValueAt(r, end, 0, list.length));
    return null;
  } catch (err) {
    if (!(err instanceof DepthError)) throw err;
    r.pos = end;
    return err.message(prefix);
  }
}

// ---------------------------------------------------------------------------
// Span

/** A span that is reported with an error or with warnings. */
class SpanProblem {
  constructor(
    readonly span: NormalisedSpan | null,
    readonly error: RecordError | null,
    readonly warnings: Warning[],
  ) {}
}

const NO_BYTES: Uint8Array = new Uint8Array(0);

function event(r: WireReader, end: number, index: number, errors: { first: string | null }): SpanEvent {
  let time = 0n;
  let name = "";
  const attributes: KeyValue[] = [];
  let dropped = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    switch (tag) {
      case T1_I64:
        time = r.f64(end);
        break;
      case T2_LEN:
        name = r.str(end);
        break;
      case T3_LEN: {
        const e = r.lenEnd(end);
        const msg = attribute(r, e, attributes, `events[${index}].attributes`);
        if (msg !== null && errors.first === null) errors.first = msg;
        break;
      }
      case T4_VARINT:
        dropped = r.u32(end);
        break;
      default:
        r.other(tag, at, end, KNOWN_EVENT);
    }
  }
  const ev: SpanEvent = { timeUnixNano: time === 0n ? null : time.toString(), name, attributes };
  if (dropped > 0) ev.droppedAttributesCount = dropped;
  return ev;
}

function link(r: WireReader, end: number, index: number, errors: { first: string | null }): SpanLink | null {
  let traceId = NO_BYTES;
  let spanId = NO_BYTES;
  let traceState = "";
  const attributes: KeyValue[] = [];
  let attrError: string | null = null;
  let dropped = 0;
  let flags = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    switch (tag) {
      case T1_LEN:
        traceId = r.raw(end);
        break;
      case T2_LEN:
        spanId = r.raw(end);
        break;
      case T3_LEN:
        traceState = r.str(end);
        break;
      case T4_LEN: {
        const e = r.lenEnd(end);
        const msg = attribute(r, e, attributes, `links[${index}].attributes`);
        if (attrError === null) attrError = msg;
        break;
      }
      case T5_VARINT:
        dropped = r.u32(end);
        break;
      case T6_I32:
        flags = r.f32(end);
        break;
      default:
        r.other(tag, at, end, KNOWN_LINK);
    }
  }
  if (errors.first !== null) return null;
  // The JSON normaliser's order: traceId, spanId, then attributes. Id warnings are not reported for links.
  let l: SpanLink;
  try {
    l = {
      traceId: normaliseIdBytes(traceId, 16, `links[${index}].traceId`).hex,
      spanId: normaliseIdBytes(spanId, 8, `links[${index}].spanId`).hex,
      attributes,
    };
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    errors.first = err.message;
    return null;
  }
  if (attrError !== null) {
    errors.first = attrError;
    return null;
  }
  if (traceState !== "") l.traceState = traceState;
  if (flags !== 0) l.flags = flags;
  if (dropped > 0) l.droppedAttributesCount = dropped;
  return l;
}

/**
 * The id of bytes [start, end) of `buf`, normalised, through a one-entry cache:
 * the spans of a batch mostly come trace by trace, and siblings share a parent.
 */
class IdCache {
  private bytes: Uint8Array = NO_BYTES;
  private result: IdResult | null = null;
  constructor(
    private readonly size: 8 | 16,
    private readonly what: string,
    private readonly parent: boolean,
  ) {}

  get(buf: Uint8Array, start: number, end: number): IdResult | null {
    const n = end - start;
    const last = this.bytes;
    if (n === last.length && n > 0) {
      let i = 0;
      while (i < n && last[i] === buf[start + i]) i++;
      if (i === n) return this.result;
    }
    const raw = buf.subarray(start, end);
    const result = this.parent ? normaliseParentIdBytes(raw, this.what) : normaliseIdBytes(raw, this.size, this.what);
    // Only ids that normalise without a warning are cached (a throw caches nothing).
    if (result === null || result.warning === undefined) {
      this.bytes = buf.slice(start, end);
      this.result = result;
    }
    return result;
  }
}

const traceIds = new IdCache(16, "traceId", false);
const parentIds = new IdCache(8, "parentSpanId", true);

/** Decodes one Span; returns it, or a SpanProblem when it has an error or warnings. */
function span(r: WireReader, end: number): NormalisedSpan | SpanProblem {
  let traceStart = 0;
  let traceEnd = 0;
  let spanId = NO_BYTES;
  let parentStart = 0;
  let parentEnd = 0;
  let kind = 0;
  let statusCode = 0;
  let statusMessage = "";
  let traceState = "";
  let name = "";
  let start = 0n;
  let endTime = 0n;
  let flags = 0;
  let droppedAttributes = 0;
  let droppedEvents = 0;
  let droppedLinks = 0;
  const attributes: KeyValue[] = [];
  const events: SpanEvent[] = [];
  const links: SpanLink[] = [];
  let attrError: string | null = null;
  const eventErrors = { first: null as string | null };
  const linkErrors = { first: null as string | null };
  let linkIndex = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    switch (tag) {
      case T1_LEN:
        traceStart = r.rawStart(end);
        traceEnd = r.pos;
        break;
      case T2_LEN:
        spanId = r.raw(end);
        break;
      case T3_LEN:
        traceState = r.str(end);
        break;
      case T4_LEN:
        parentStart = r.rawStart(end);
        parentEnd = r.pos;
        break;
      case T5_LEN:
        name = r.str(end);
        break;
      case T6_VARINT:
        kind = r.u32(end) | 0;
        break;
      case T7_I64:
        start = r.f64(end);
        break;
      case T8_I64:
        endTime = r.f64(end);
        break;
      case T9_LEN: {
        const e = r.lenEnd(end);
        const msg = attribute(r, e, attributes, "attributes");
        if (attrError === null) attrError = msg;
        break;
      }
      case T10_VARINT:
        droppedAttributes = r.u32(end);
        break;
      case T11_LEN:
        events.push(event(r, r.lenEnd(end), events.length, eventErrors));
        break;
      case T12_VARINT:
        droppedEvents = r.u32(end);
        break;
      case T13_LEN: {
        const l = link(r, r.lenEnd(end), linkIndex++, linkErrors);
        if (l !== null) links.push(l);
        break;
      }
      case T14_VARINT:
        droppedLinks = r.u32(end);
        break;
      case T15_LEN: {
        // Status; a repeated status merges (the last of each field wins).
        const e = r.lenEnd(end);
        while (r.pos < e) {
          const sat = r.pos;
          const stag = r.key(e);
          if (stag === T2_LEN) statusMessage = r.str(e);
          else if (stag === T3_VARINT) statusCode = r.u32(e) | 0;
          else r.other(stag, sat, e, KNOWN_STATUS);
        }
        break;
      }
      case T16_I32:
        flags = r.f32(end);
        break;
      default:
        r.other(tag, at, end, KNOWN_SPAN);
    }
  }

  // Semantic checks, in the order normaliseOtlpSpan makes them (so that a span
  // with several problems gets the same error as in JSON).
  let warnings: Warning[] | null = null;
  let trace: IdResult, sid: IdResult, parent: IdResult | null;
  try {
    trace = traceIds.get(r.data, traceStart, traceEnd)!;
    sid = normaliseIdBytes(spanId, 8, "spanId");
    parent = parentIds.get(r.data, parentStart, parentEnd);
  } catch (err) {
    if (err instanceof RecordError) return new SpanProblem(null, err, []);
    throw err;
  }
  if (trace.warning !== undefined || sid.warning !== undefined || parent?.warning !== undefined) {
    warnings = [];
    for (const id of [trace, sid, parent]) if (id?.warning) warnings.push({ message: id.warning, strictError: id.nonStandard });
  }
  const startNs = start === 0n ? null : start;
  const endNs = endTime === 0n ? null : endTime;
  if (startNs === null) (warnings ??= []).push({ message: "span has no start time" });
  else if (endNs === null) (warnings ??= []).push({ message: "span has no end time (duration unknown)" });
  else if (endNs < startNs) (warnings ??= []).push({ message: "span ends before it starts" });
  const error =
    eventErrors.first ??
    linkErrors.first ??
    (kind < 0 || kind > 5 ? `kind ${kind} is not a known value` : null) ??
    (statusCode < 0 || statusCode > 2 ? `status.code ${statusCode} is not a known value` : null) ??
    attrError;
  if (error !== null) return new SpanProblem(null, new RecordError(error), []);

  const s: NormalisedSpan = {
    traceId: trace.hex,
    spanId: sid.hex,
    parentSpanId: parent?.hex ?? null,
    name,
    kind,
    service: null, // set with the resource, which may come after the spans
    startNs,
    endNs,
    statusCode,
    statusMessage: statusMessage !== "" ? statusMessage : null,
    traceState: traceState !== "" ? traceState : null,
    flags: flags !== 0 ? flags : null,
    attributes,
    events,
    links,
    resource: EMPTY_RESOURCE, // set by the ResourceSpans
    scope: null, // set by the ScopeSpans
    resourceSchemaUrl: null,
    scopeSchemaUrl: null,
    droppedAttributesCount: droppedAttributes,
    droppedEventsCount: droppedEvents,
    droppedLinksCount: droppedLinks,
  };
  return warnings === null ? s : new SpanProblem(s, null, warnings);
}

const EMPTY_RESOURCE: KeyValue[] = [];

// ---------------------------------------------------------------------------
// ScopeSpans, ResourceSpans

interface Block {
  spans: (NormalisedSpan | SpanProblem)[];
  /** A scope that cannot be read (attributes nested too deep): the block emits only this. */
  scopeError: string | null;
}

function scopeSpans(r: WireReader, end: number): Block {
  let name = "";
  let version = "";
  const scopeAttributes: KeyValue[] = [];
  let scopeError: string | null = null;
  let schemaUrl = "";
  const spans: (NormalisedSpan | SpanProblem)[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    if (tag === T2_LEN) spans.push(span(r, r.lenEnd(end)));
    else if (tag === T1_LEN) {
      // InstrumentationScope (or the old InstrumentationLibrary: name and version only).
      const e = r.lenEnd(end);
      while (r.pos < e) {
        const sat = r.pos;
        const stag = r.key(e);
        if (stag === T1_LEN) name = r.str(e);
        else if (stag === T2_LEN) version = r.str(e);
        else if (stag === T3_LEN) {
          const msg = attribute(r, r.lenEnd(e), scopeAttributes, "scope.attributes");
          if (scopeError === null) scopeError = msg;
        } else r.other(stag, sat, e, KNOWN_SCOPE);
      }
    } else if (tag === T3_LEN) schemaUrl = r.str(end);
    else r.other(tag, at, end, KNOWN_SCOPE_SPANS);
  }
  // scopeOf(): { name, version? , attributes? }, or null when all are empty.
  let scope: InstrumentationScope | null = null;
  if (name !== "" || version !== "" || scopeAttributes.length > 0) {
    scope = { name };
    if (version !== "") scope.version = version;
    if (scopeAttributes.length > 0) scope.attributes = scopeAttributes;
  }
  const scopeSchemaUrl = schemaUrl !== "" ? schemaUrl : null;
  for (const item of spans) {
    const s = item instanceof SpanProblem ? item.span : item;
    if (s !== null) {
      s.scope = scope;
      s.scopeSchemaUrl = scopeSchemaUrl;
    }
  }
  return { spans, scopeError };
}

interface DecodedResourceSpans {
  resourceError: string | null;
  /** True when the blocks come from the deprecated field 1000 (no scope_spans). */
  legacy: boolean;
  blocks: Block[];
}

/** Decodes one whole ResourceSpans (throws WireError) before anything is emitted. */
function resourceSpans(r: WireReader, end: number): DecodedResourceSpans {
  const resource: KeyValue[] = [];
  let resourceError: string | null = null;
  let schemaUrl = "";
  const blocks: Block[] = [];
  const legacyBlocks: Block[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.key(end);
    if (tag === T2_LEN) blocks.push(scopeSpans(r, r.lenEnd(end)));
    else if (tag === T1_LEN) {
      const e = r.lenEnd(end);
      while (r.pos < e) {
        const rat = r.pos;
        const rtag = r.key(e);
        if (rtag === T1_LEN) {
          const msg = attribute(r, r.lenEnd(e), resource, "resource.attributes");
          if (resourceError === null) resourceError = msg;
        } else r.other(rtag, rat, e, KNOWN_RESOURCE);
      }
    } else if (tag === T3_LEN) schemaUrl = r.str(end);
    else if (tag === T1000_LEN) legacyBlocks.push(scopeSpans(r, r.lenEnd(end)));
    else if (tag >>> 3 === 1000) throw new WireError(`field 1000 has the wrong wire type ${tag & 7}`, at);
    else r.other(tag, at, end, KNOWN_RESOURCE_SPANS);
  }
  // As the JSON reader: scope_spans when there are any, else the deprecated instrumentation_library_spans.
  const legacy = blocks.length === 0 && legacyBlocks.length > 0;
  const chosen = legacy ? legacyBlocks : blocks;
  const service = stringAttribute(resource, "service.name");
  const resourceSchemaUrl = schemaUrl !== "" ? schemaUrl : null;
  for (const b of chosen) {
    for (const item of b.spans) {
      const s = item instanceof SpanProblem ? item.span : item;
      if (s !== null) {
        s.resource = resource;
        s.service = service;
        s.resourceSchemaUrl = resourceSchemaUrl;
      }
    }
  }
  return { resourceError, legacy, blocks: chosen };
}

function emitDecoded(rs: DecodedResourceSpans, rsPath: string, where: Omit<Location, "path">, out: SpanOut): void {
  if (rs.resourceError !== null) {
    out.issue({ ...where, path: `${rsPath}.resource`, severity: "error", message: rs.resourceError });
    return;
  }
  const blocksKey = rs.legacy ? "instrumentationLibrarySpans" : "scopeSpans";
  const scopeKey = rs.legacy ? "instrumentationLibrary" : "scope";
  for (let si = 0; si < rs.blocks.length; si++) {
    const b = rs.blocks[si]!;
    if (b.scopeError !== null) {
      out.issue({ ...where, path: `${rsPath}.${blocksKey}[${si}].${scopeKey}`, severity: "error", message: b.scopeError });
      continue;
    }
    const spans = b.spans;
    for (let i = 0; i < spans.length; i++) {
      const item = spans[i]!;
      if (!(item instanceof SpanProblem)) {
        // What emitRecord does for a span with neither error nor warning, without its closures.
        out.span(item);
        continue;
      }
      emitRecord(
        out,
        () => ({ ...where, path: `${rsPath}.${blocksKey}[${si}].spans[${i}]` }),
        (warnings) => {
          if (item.error !== null) throw item.error;
          for (const w of item.warnings) warnings.push(w);
          return item.span!;
        },
      );
    }
  }
}

function decodeAndEmit(r: WireReader, end: number, index: number, where: Omit<Location, "path">, out: SpanOut): void {
  const rsPath = `$.resourceSpans[${index}]`;
  let decoded: DecodedResourceSpans;
  try {
    decoded = resourceSpans(r, end);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    out.issue({ ...where, path: rsPath, severity: "error", message: err.message });
    r.pos = end;
    return;
  }
  emitDecoded(decoded, rsPath, where, out);
}

/**
 * Emits the spans of one ResourceSpans message: the bytes of one field-1 entry of an
 * ExportTraceServiceRequest or TracesData. `index` is its position among the request's
 * resourceSpans (for paths), `where` says where the request is (messageNumber/offset).
 * A malformed encoding is one error issue at `$.resourceSpans[index]`, with a byte
 * offset counted from the start of `bytes`, and none of its spans are emitted.
 */
export function emitProtoResourceSpans(bytes: Uint8Array, index: number, where: Omit<Location, "path">, out: SpanOut): void {
  decodeAndEmit(new WireReader(bytes), bytes.length, index, where, out);
}

/**
 * Emits every span of one whole ExportTraceServiceRequest (or TracesData: same field 1).
 * Byte offsets in messages count from the start of `bytes`. A malformed ResourceSpans is
 * one error issue and the others still go through; a malformed request itself (outside
 * any ResourceSpans) is one error issue at `$` and the rest of the request is not read.
 */
export function emitProtoRequest(bytes: Uint8Array, where: Omit<Location, "path">, out: SpanOut): void {
  const r = new WireReader(bytes);
  const end = bytes.length;
  let index = 0;
  try {
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.key(end);
      if (tag === T1_LEN) {
        const e = r.lenEnd(end);
        decodeAndEmit(r, e, index++, where, out);
      } else r.other(tag, at, end, KNOWN_REQUEST);
    }
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    out.issue({ ...where, path: "$", severity: "error", message: err.message });
  }
}
