import type { ByteSource } from "./types.ts";

/** Longest accepted line; a longer one is reported instead of filling memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export class LineTooLongError extends Error {
  override name = "LineTooLongError";
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`);
  }
}

/**
 * Splits a byte stream into lines (LF or CRLF), numbered from 1, decoding UTF-8
 * across chunk boundaries. Yields arrays of lines per chunk, so the caller can
 * check for cancellation once per chunk rather than per line.
 */
export async function* readLines(source: ByteSource): AsyncGenerator<{ first: number; lines: string[] }> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let carry = "";
  let lineNo = 1;
  for await (const chunk of source) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    carry = parts.pop()!;
    if (carry.length > MAX_LINE_BYTES) throw new LineTooLongError(lineNo + parts.length);
    if (parts.length) {
      yield { first: lineNo, lines: parts.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l)) };
      lineNo += parts.length;
    }
  }
  carry += decoder.decode();
  if (carry.length) yield { first: lineNo, lines: [carry.endsWith("\r") ? carry.slice(0, -1) : carry] };
}
