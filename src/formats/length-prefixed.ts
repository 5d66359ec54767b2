import { ByteQueue } from "./byte-queue.ts";
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
  broken?: undefined;
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
  const q = new ByteQueue(source);
  for (let number = 1; ; number++) {
    const offset = q.offset;
    if (!(await q.fill(4))) {
      if (q.available > 0) yield { broken: true, number, offset, reason: `the stream ends inside a length prefix (${q.available} of 4 bytes)` };
      return;
    }
    const length = ((q.peek(0) << 24) >>> 0) + (q.peek(1) << 16) + (q.peek(2) << 8) + q.peek(3);
    if (length > MAX_MESSAGE_BYTES) {
      yield {
        broken: true,
        number,
        offset,
        reason: `its length prefix says ${length} bytes, more than the ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB a message may have (the stream is corrupt from here)`,
      };
      return;
    }
    if (!(await q.fill(4 + length))) {
      yield { broken: true, number, offset, reason: `the stream is truncated: the message should have ${length} bytes, only ${q.available - 4} are left` };
      return;
    }
    q.take(4);
    yield { bytes: q.take(length), number, offset };
  }
}
