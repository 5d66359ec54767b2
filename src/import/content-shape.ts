import { isJsonWhitespace, JsonValueEnd } from "../formats/json-value-end.ts";
import { MAX_MESSAGE_BYTES } from "../formats/length-prefixed.ts";
import { isZstdMagic } from "../formats/magic-bytes.ts";
import type { ContentShape } from "../formats/types.ts";

/**
 * How far detection reads, at most, to find where the first top-level JSON
 * value ends. A JSON Lines line longer than this is refused anyway
 * (MAX_LINE_BYTES), so content whose first value runs on past it is one
 * document. Only this much is ever buffered.
 */
export const SHAPE_PROBE_LIMIT = 64 * 1024 * 1024;

/**
 * Decides the shape of binary content from its first bytes:
 * - length-prefixed: a 4-byte big-endian length within the message bound,
 *   then a message that starts as an ExportTraceServiceRequest (field 1,
 *   length-delimited: 0x0a), as JSON (`{`) or as a zstd frame (the Collector's
 *   legacy per-message compression);
 * - protobuf: one message starting with field 1, length-delimited (0x0a). A
 *   length prefix can never start with 0x0a (it would exceed the bound), so
 *   the two cannot be confused.
 */
export function binaryShape(head: Uint8Array): ContentShape {
  if (head.length >= 5) {
    const length = ((head[0]! << 24) >>> 0) + (head[1]! << 16) + (head[2]! << 8) + head[3]!;
    if (length > 0 && length <= MAX_MESSAGE_BYTES && (head[4] === 0x0a || head[4] === 0x7b || isZstdMagic(head, 4))) return "length-prefixed";
  }
  if (head.length >= 2 && head[0] === 0x0a) return "protobuf";
  return "unknown";
}

/** Where in the content the first non-whitespace byte is, or -1. */
function firstContent(chunks: readonly Uint8Array[]): { chunk: number; at: number } | null {
  for (let c = 0; c < chunks.length; c++) {
    const bytes = chunks[c]!;
    for (let i = 0; i < bytes.length; i++) if (!isJsonWhitespace(bytes[i]!)) return { chunk: c, at: i };
  }
  return null;
}

/**
 * Decides the shape of the content from its bytes. For JSON it finds where the
 * first top-level value ends and looks at what follows: a newline and then
 * another value is JSON Lines (if the first value was on one line); nothing,
 * or anything else, is one document. It reads on (through
 * `more`, which buffers what it returns) as far as it must, up to
 * SHAPE_PROBE_LIMIT, so lines of any length are told apart from documents.
 */
export async function detectShape(chunks: Uint8Array[], more: () => Promise<Uint8Array | null>): Promise<ContentShape> {
  const start = firstContent(chunks);
  if (start === null) return "unknown";
  const first = chunks[start.chunk]![start.at]!;
  if (first !== 0x7b && first !== 0x5b) {
    // Binary content is judged from its very first bytes (whitespace is data there).
    return binaryShape(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks.slice(0, 2)));
  }
  const end = new JsonValueEnd();
  let buffered = chunks.reduce((n, c) => n + c.length, 0);
  let c = start.chunk;
  let from = start.at;
  let ended = false;
  let newline = false;
  for (;;) {
    if (c === chunks.length) {
      if (buffered >= SHAPE_PROBE_LIMIT) return "json-document";
      const next = await more();
      if (next === null) return "json-document";
      buffered += next.length;
    }
    const bytes = chunks[c]!;
    let i = from;
    if (!ended) {
      const at = end.feed(from === 0 ? bytes : bytes.subarray(from));
      if (at === -1) {
        c++;
        from = 0;
        continue;
      }
      ended = true;
      i = from + at;
    }
    for (; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === 0x0a) newline = true;
      // JSON Lines puts each value on one line: a pretty-printed first value
      // followed by more is a document with data after its end, which the
      // document reader reports as such.
      else if (!isJsonWhitespace(b)) return newline && !end.multiline ? "json-lines" : "json-document";
    }
    c++;
    from = 0;
  }
}
