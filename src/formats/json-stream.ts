import { TokenParser, Tokenizer } from "@streamparser/json";
import { FileFormatError, type ByteSource } from "./types.ts";

export type JsonKey = string | number;

export interface JsonStreamValue {
  value: unknown;
  /** The value's key path from the document root. */
  keys: JsonKey[];
}

/** Keeps integers beyond 2^53 as their decimal text instead of rounding them. */
class ExactTokenizer extends Tokenizer {
  protected override parseNumber(text: string): number {
    const n = Number(text);
    return (Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : text) as number;
  }
}

/**
 * Parses one JSON document as a stream (@streamparser/json) and calls `onValue`
 * for each value at one of `paths` (JSONPath with `*` wildcards), never holding
 * the whole document: values outside those paths are dropped as they are read.
 *
 * Integers beyond 2^53 are kept as strings so that ids and counters stay exact.
 * A syntax error becomes a FileFormatError with the byte offset, line and
 * column; an incomplete document says so.
 */
export async function streamJsonValues(
  source: ByteSource,
  paths: string[],
  onValue: (v: JsonStreamValue) => void,
  signal: AbortSignal,
): Promise<{ bytes: number }> {
  const tokenizer = new ExactTokenizer();
  const parser = new TokenParser({ paths, keepStack: false });
  // The token parser's errors carry no position: remember where the last token started.
  let lastTokenOffset = 0;
  tokenizer.onToken = (token) => {
    lastTokenOffset = token.offset;
    parser.write(token);
  };
  parser.onError = tokenizer.error.bind(tokenizer);
  tokenizer.onEnd = () => {
    if (!parser.isEnded) parser.end();
  };
  parser.onEnd = () => {
    if (!tokenizer.isEnded) tokenizer.end();
  };
  // An error thrown by our own callback (strict mode, cancellation) passes
  // through the tokenizer; remember it so it is not mistaken for bad JSON.
  let callbackError: unknown = null;
  parser.onValue = ({ value, key, stack }) => {
    const keys: JsonKey[] = [];
    for (let i = 1; i < stack.length; i++) keys.push(stack[i]!.key as JsonKey);
    keys.push(key as JsonKey);
    try {
      onValue({ value, keys });
    } catch (err) {
      callbackError = err;
      throw err;
    }
  };

  let offset = 0;
  let newlines = 0;
  let lastLineStart = 0;
  let sawContent = false;
  const position = (at: number, chunk: Uint8Array | null, chunkStart: number) => {
    let line = newlines;
    let lineStart = lastLineStart;
    if (chunk) {
      for (let i = 0; i < at - chunkStart && i < chunk.length; i++) {
        if (chunk[i] === 10) {
          line++;
          lineStart = chunkStart + i + 1;
        }
      }
    }
    return { offset: at, line: line + 1, column: at - lineStart + 1 };
  };
  const syntaxError = (err: Error, chunk: Uint8Array | null, chunkStart: number): FileFormatError => {
    const abs = /absolute position "(\d+)"/.exec(err.message);
    const at = abs ? Number(abs[1]) : lastTokenOffset;
    const pos = position(at, chunk, chunkStart);
    const found = /Unexpected "(.*?)"/.exec(err.message)?.[1] ?? /Unexpected \w+ \("(.*?)"\)/.exec(err.message)?.[1];
    const what = tokenizer.isEnded && parser.isEnded ? "unexpected data after the end of the JSON document" : found !== undefined ? `unexpected ${JSON.stringify(found)}` : err.message;
    return new FileFormatError(`Invalid JSON at line ${pos.line}, column ${pos.column}: ${what}`, pos);
  };

  for await (const chunk of source) {
    signal.throwIfAborted();
    const chunkStart = offset;
    if (!sawContent && chunk.some((b) => b !== 32 && b !== 10 && b !== 13 && b !== 9)) sawContent = true;
    if (tokenizer.isEnded) {
      // Only whitespace may follow the document.
      const rest = chunk.findIndex((b) => b !== 32 && b !== 10 && b !== 13 && b !== 9);
      if (rest >= 0) {
        const pos = position(chunkStart + rest, chunk, chunkStart);
        throw new FileFormatError(`Invalid JSON at line ${pos.line}, column ${pos.column}: unexpected data after the end of the JSON document`, pos);
      }
    } else {
      try {
        tokenizer.write(chunk);
      } catch (err) {
        if (callbackError !== null) throw callbackError;
        if (err instanceof FileFormatError || signal.aborted) throw err;
        throw syntaxError(err as Error, chunk, chunkStart);
      }
    }
    offset += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      newlines++;
      lastLineStart = chunkStart + i + 1;
    }
  }
  if (!sawContent) throw new FileFormatError("The file is empty");
  if (!tokenizer.isEnded) {
    const pos = position(offset, null, offset);
    throw new FileFormatError(`Invalid JSON: the document ends early at line ${pos.line}, column ${pos.column} (is the file truncated?)`, pos);
  }
  return { bytes: offset };
}
