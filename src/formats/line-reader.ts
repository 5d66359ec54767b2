import type { ByteSource } from "./types.ts";

/** Longest accepted line that is joined whole; a longer one is reported instead of filling memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export class LineTooLongError extends Error {
  override name = "LineTooLongError";
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** The line without its CR, if it ends with one. */
function withoutCr(bytes: Uint8Array): Uint8Array {
  return bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.subarray(0, bytes.length - 1) : bytes;
}

/**
 * A line too long to be joined, read as a stream of its bytes: iterating it
 * pulls the file's chunks as they come (views, never copies) up to the line's
 * end. It can be iterated once, and need not be read to its end: the line
 * reader skips what is left of it before it reads on, so a caller that stops
 * at a syntax error in the middle of the line goes on at the next line.
 *
 * A CR before the LF is dropped when it is in the line's last piece; one that
 * ended the piece before is already handed over (it is JSON whitespace, and a
 * consumer that cares can strip it).
 */
export class LongLine implements AsyncIterable<Uint8Array> {
  /** The line's end was reached (its LF, or the end of the input). */
  private ended = false;
  /** An error thrown by the source while this line was read: it is the input's, not the line's. */
  sourceError: unknown = undefined;
  /** After the line's end: the chunk that holds its LF and where the next line starts in it; null at the end of the input. */
  rest: { chunk: Uint8Array; start: number } | null = null;

  constructor(
    /** Its number, from 1. */
    readonly line: number,
    /** Its first pieces, read before it was known to be long (released as they are handed over). */
    private head: Uint8Array[],
    private readonly pull: () => Promise<IteratorResult<Uint8Array>>,
    /** The line is already complete in `head` (its LF was found in the chunk where it became long). */
    complete: boolean,
  ) {
    this.ended = complete;
  }

  /** The next piece of the line, or null after its end. */
  private async next(): Promise<Uint8Array | null> {
    if (this.head.length > 0) return this.head.shift()!;
    if (this.ended) return null;
    let r: IteratorResult<Uint8Array>;
    try {
      r = await this.pull();
    } catch (err) {
      this.sourceError = err;
      throw err;
    }
    if (r.done) {
      this.ended = true;
      return null;
    }
    const chunk = r.value;
    const nl = chunk.indexOf(10);
    if (nl === -1) return chunk;
    this.ended = true;
    this.rest = { chunk, start: nl + 1 };
    return withoutCr(chunk.subarray(0, nl));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (let piece = await this.next(); piece !== null; piece = await this.next()) if (piece.length > 0) yield piece;
  }

  /** Reads (and drops) what the caller left of the line. */
  async skip(): Promise<void> {
    this.head = [];
    while ((await this.next()) !== null);
  }
}

/**
 * Splits a byte stream into lines (LF or CRLF), numbered from 1. Newlines are
 * found in the bytes (a UTF-8 sequence never contains 0x0a) and each line is
 * decoded once, when it is complete: a line of many megabytes that arrives in
 * hundreds of chunks costs one copy and one decode, not a rescan per chunk.
 * Yields arrays of lines per chunk, so the caller can check for cancellation
 * once per chunk rather than per line.
 *
 * With `bytesOver`, a line of more bytes than that is handed over as a
 * LongLine, a stream of its bytes, as soon as that many have arrived without
 * its end: it is never joined, so however long it is, the line costs no more
 * memory than the chunks being read (a line of 8 MiB joined is its chunks and
 * the copy, together, for as long as it is parsed). Such a line is the last of
 * its batch, and has no length limit. The caller reads it (or not) before it
 * asks for the next batch.
 */
export function readLines(source: ByteSource): AsyncGenerator<{ first: number; lines: string[] }>;
export function readLines(source: ByteSource, bytesOver: number): AsyncGenerator<{ first: number; lines: (string | LongLine)[] }>;
export async function* readLines(source: ByteSource, bytesOver = Infinity): AsyncGenerator<{ first: number; lines: (string | LongLine)[] }> {
  const it = source[Symbol.asyncIterator]();
  const pull = () => it.next();
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let lineNo = 1;
  const takeCarry = (last: Uint8Array): Uint8Array => {
    if (partBytes === 0) return last;
    const whole = new Uint8Array(partBytes + last.length);
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.length;
    }
    whole.set(last, at);
    parts = [];
    partBytes = 0;
    return whole;
  };
  /** A long line of the carried parts and `last`; the parts are handed over to it. */
  const longLine = (last: Uint8Array, complete: boolean, line: number): LongLine => {
    const head = parts;
    head.push(complete ? withoutCr(last) : last);
    parts = [];
    partBytes = 0;
    return new LongLine(line, head, pull, complete);
  };
  try {
    let chunk: Uint8Array | null = null;
    let start = 0;
    for (;;) {
      if (chunk === null || start >= chunk.length) {
        const r = await it.next();
        if (r.done) break;
        chunk = r.value;
        start = 0;
      }
      const lines: (string | LongLine)[] = [];
      let long: LongLine | null = null;
      let longComplete = false;
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        if (partBytes + (nl - start) > bytesOver) {
          // Complete here, but long: handed over unjoined all the same, and
          // the batch ends with it so the caller reads it before what follows.
          long = longLine(chunk.subarray(start, nl), true, lineNo + lines.length);
          lines.push(long);
          longComplete = true;
          start = nl + 1;
          break;
        }
        lines.push(decoder.decode(withoutCr(takeCarry(chunk.subarray(start, nl)))));
        start = nl + 1;
      }
      if (long === null && start < chunk.length) {
        parts.push(chunk.subarray(start));
        partBytes += chunk.length - start;
        start = chunk.length;
        if (partBytes > bytesOver) {
          long = longLine(parts.pop()!, false, lineNo + lines.length);
          lines.push(long);
        } else if (partBytes > MAX_LINE_BYTES) throw new LineTooLongError(lineNo + lines.length);
      }
      if (lines.length) {
        yield { first: lineNo, lines };
        lineNo += lines.length;
      }
      if (long !== null) {
        await long.skip();
        // Where the next line starts: in the current chunk when the long line
        // was complete in it, else in the chunk that held its LF; a long line
        // without one ended the input.
        if (!longComplete) {
          if (long.rest === null) break;
          ({ chunk, start } = long.rest);
        }
      }
    }
    // A last line without LF (not long: it would have been handed over already).
    if (partBytes > 0) yield { first: lineNo, lines: [decoder.decode(withoutCr(takeCarry(new Uint8Array(0))))] };
  } finally {
    await it.return?.();
  }
}
