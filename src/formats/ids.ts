import { RecordError } from "./types.ts";

/** Ids of non-standard length are kept up to this many bytes (the longest seen in real files is 16). */
const MAX_ID_BYTES = 32;

export interface IdResult {
  hex: string;
  /** Set when the id was accepted but is unusual (padded, odd length). */
  warning?: string;
  /** True when the length is not the standard one and was not simply padded. */
  nonStandard?: boolean;
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function decodeBase64(s: string): Uint8Array | null {
  // Padded base64 only (as protobuf JSON writes it): unpadded short strings
  // such as "zzz" would otherwise decode to garbage bytes.
  if (s.length % 4 !== 0) return null;
  if (BASE64.test(s)) return Buffer.from(s, "base64");
  if (BASE64URL.test(s)) return Buffer.from(s, "base64url");
  return null;
}

/**
 * Normalises a trace or span id to lower-case hex of `bytes` bytes.
 * Hex (any case) of the right length wins; otherwise base64 (as protobuf JSON,
 * Tempo and Data Prepper write ids); otherwise shorter hex (Zipkin, Jaeger).
 * A shorter id is left-padded with zeros (with a warning); a longer one up to
 * 32 bytes is kept as it is (flagged non-standard); anything else throws.
 */
export function normaliseId(raw: unknown, bytes: 8 | 16, what: string, opts: { base64?: boolean } = {}): IdResult {
  if (typeof raw !== "string" || raw.length === 0) {
    throw new RecordError(`${what} is ${raw === "" || raw === undefined || raw === null ? "missing" : `not a string (${JSON.stringify(raw)})`}`);
  }
  const want = bytes * 2;
  let hex: string | null = null;
  if (HEX.test(raw) && raw.length === want) hex = raw.toLowerCase();
  if (hex === null && opts.base64 !== false) {
    const decoded = decodeBase64(raw);
    if (decoded && decoded.length > 0 && decoded.length <= MAX_ID_BYTES && (decoded.length === bytes || !HEX.test(raw))) {
      hex = bytesToHex(decoded);
    }
  }
  if (hex === null && HEX.test(raw) && raw.length <= MAX_ID_BYTES * 2) {
    hex = raw.toLowerCase();
    if (hex.length % 2 === 1) hex = "0" + hex;
  }
  if (hex === null && HEX.test(raw)) {
    throw new RecordError(`${what} is ${Math.ceil(raw.length / 2)} bytes long; no trace or span id is longer than ${MAX_ID_BYTES}`);
  }
  if (hex === null) {
    throw new RecordError(`${what} ${JSON.stringify(raw.length > 64 ? raw.slice(0, 64) + "…" : raw)} is neither hex nor base64`);
  }
  if (/^0+$/.test(hex)) throw new RecordError(`${what} is all zeros, which is not a valid id`);
  if (hex.length < want) {
    return { hex: hex.padStart(want, "0"), warning: `${what} ${raw} is shorter than ${bytes} bytes; left-padded with zeros` };
  }
  if (hex.length > want) {
    return { hex, nonStandard: true, warning: `${what} is ${hex.length / 2} bytes long, not ${bytes}; kept as it is` };
  }
  return { hex };
}

/** A parent id: empty, missing or all zeros means "no parent". */
export function normaliseParentId(raw: unknown, what: string, opts: { base64?: boolean } = {}): IdResult | null {
  if (raw === undefined || raw === null || raw === "") return null;
  if (typeof raw === "string" && /^0+$/.test(raw)) return null;
  return normaliseId(raw, 8, what, opts);
}

type WithToHex = Uint8Array & { toHex(): string };

/** Lower-case hex of some bytes (Uint8Array.prototype.toHex where the runtime has it). */
const hexOfBytes: (bytes: Uint8Array) => string =
  typeof (Uint8Array.prototype as Partial<WithToHex>).toHex === "function"
    ? (bytes) => (bytes as WithToHex).toHex()
    : (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

function allZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The same rules as normaliseId for an id given as raw bytes (OTLP protobuf's
 * `bytes trace_id`), with the same messages as for that id written as hex:
 * empty is missing; all zeros is refused; shorter than `bytes` is left-padded
 * (with a warning); longer up to 32 bytes is kept (flagged non-standard);
 * longer than that is refused.
 */
export function normaliseIdBytes(raw: Uint8Array, bytes: 8 | 16, what: string): IdResult {
  const n = raw.length;
  if (n === 0) throw new RecordError(`${what} is missing`);
  if (n > MAX_ID_BYTES) throw new RecordError(`${what} is ${n} bytes long; no trace or span id is longer than ${MAX_ID_BYTES}`);
  if (allZero(raw)) throw new RecordError(`${what} is all zeros, which is not a valid id`);
  const hex = hexOfBytes(raw);
  if (n < bytes) {
    return { hex: hex.padStart(bytes * 2, "0"), warning: `${what} ${hex} is shorter than ${bytes} bytes; left-padded with zeros` };
  }
  if (n > bytes) {
    return { hex, nonStandard: true, warning: `${what} is ${n} bytes long, not ${bytes}; kept as it is` };
  }
  return { hex };
}

/** A parent id given as bytes: empty or all zeros means "no parent" (as normaliseParentId). */
export function normaliseParentIdBytes(raw: Uint8Array, what: string): IdResult | null {
  if (raw.length === 0 || allZero(raw)) return null;
  return normaliseIdBytes(raw, 8, what);
}
