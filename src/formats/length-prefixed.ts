import type { ByteSource } from "./types.ts";

/**
 * Largest message accepted in a length-prefixed stream (and largest
 * ResourceSpans of a single protobuf message). A prefix beyond it means the
 * stream is corrupt or not length-prefixed at all; it also bounds memory,
 * since one message is held whole while it is decoded.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** One message of a length-prefixed stream. */
export interface Frame {
  /** The message's bytes (a view: valid until the next frame is read). */
  bytes: Uint8Array;
  /** Numbered from 1. */
  number: number;
  /** Where its length prefix starts in the (decompressed) stream. */
  offset: number;
}

/** Where the framing broke: nothing after this point can be read. */
export interface BrokenFrame {
  broken: true;
  number: number;
  offset: number;
  reason: string;
}

/**
 * Splits a stream of messages, each preceded by its length as a 4-byte
 * big-endian unsigned integer, as the OpenTelemetry Collector's file exporter
 * writes them (file_writer.go: binary.BigEndian.PutUint32, then the message).
 * Holds one message at a time. A length over MAX_MESSAGE_BYTES or a stream
 * that ends inside a message yields a BrokenFrame and ends: the framing is
 * lost from there, everything before it is good.
 */
export async function* readFrames(source: ByteSource): AsyncGenerator<Frame | BrokenFrame> {
  let buf: Uint8Array = new Uint8Array(0);
  let pos = 0; // read position in buf
  let consumed = 0; // stream offset of buf[0]
  let number = 0;
  const it = source[Symbol.asyncIterator]();
  let eof = false;

  /** Makes sure `n` bytes from `pos` are buffered; false at the end of the stream. */
  const fill = async (n: number): Promise<boolean> => {
    while (buf.length - pos < n) {
      if (eof) return false;
      const r = await it.next();
      if (r.done) {
        eof = true;
        return false;
      }
      const rest = buf.subarray(pos);
      consumed += pos;
      pos = 0;
      if (rest.length === 0) buf = r.value;
      else {
        const joined = new Uint8Array(rest.length + r.value.length);
        joined.set(rest, 0);
        joined.set(r.value, rest.length);
        buf = joined;
      }
    }
    return true;
  };

  for (;;) {
    const offset = consumed + pos;
    if (!(await fill(4))) {
      const left = buf.length - pos;
      if (left > 0) yield { broken: true, number: number + 1, offset, reason: `the stream ends inside a length prefix (${left} of 4 bytes)` };
      return;
    }
    number++;
    const length = ((buf[pos]! << 24) >>> 0) + (buf[pos + 1]! << 16) + (buf[pos + 2]! << 8) + buf[pos + 3]!;
    if (length > MAX_MESSAGE_BYTES) {
      yield {
        broken: true,
        number,
        offset,
        reason: `its length prefix says ${length} bytes, more than the ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB a message may have (the stream is corrupt from here)`,
      };
      return;
    }
    if (!(await fill(4 + length))) {
      yield { broken: true, number, offset, reason: `the stream is truncated: the message should have ${length} bytes, only ${buf.length - pos - 4} are left` };
      return;
    }
    const bytes = buf.subarray(pos + 4, pos + 4 + length);
    pos += 4 + length;
    yield { bytes, number, offset };
  }
}
