import type { ByteSource } from "./types.ts";

/** Longest accepted line; a longer one is reported instead of filling memory. */
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
 * Splits a byte stream into lines (LF or CRLF), numbered from 1. Newlines are
 * found in the bytes (a UTF-8 sequence never contains 0x0a) and each line is
 * decoded once, when it is complete: a line of many megabytes that arrives in
 * hundreds of chunks costs one copy and one decode, not a rescan per chunk.
 * Yields arrays of lines per chunk, so the caller can check for cancellation
 * once per chunk rather than per line.
 *
 * With `bytesOver`, a line of more bytes than that is handed over as its bytes,
 * not decoded: a caller that reads long lines as a byte stream would otherwise
 * hold the line three times over (bytes, string, bytes encoded again), which
 * for lines of many megabytes is what the reading thread's peak memory is.
 */
export function readLines(source: ByteSource): AsyncGenerator<{ first: number; lines: string[] }>;
export function readLines(source: ByteSource, bytesOver: number): AsyncGenerator<{ first: number; lines: (string | Uint8Array)[] }>;
export async function* readLines(source: ByteSource, bytesOver = Infinity): AsyncGenerator<{ first: number; lines: (string | Uint8Array)[] }> {
  const line = (bytes: Uint8Array): string | Uint8Array => {
    const b = withoutCr(bytes);
    return b.length > bytesOver ? b : decoder.decode(b);
  };
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
  for await (const chunk of source) {
    const lines: (string | Uint8Array)[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      lines.push(line(takeCarry(chunk.subarray(start, nl))));
      start = nl + 1;
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start));
      partBytes += chunk.length - start;
      if (partBytes > MAX_LINE_BYTES) throw new LineTooLongError(lineNo + lines.length);
    }
    if (lines.length) {
      yield { first: lineNo, lines };
      lineNo += lines.length;
    }
  }
  if (partBytes > 0) yield { first: lineNo, lines: [line(takeCarry(new Uint8Array(0)))] };
}
