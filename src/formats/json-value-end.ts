import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, NEWLINE, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-bytes.ts";

export { isJsonWhitespace } from "./json-bytes.ts";

/**
 * Finds where a JSON object or array that starts at the first byte fed ends,
 * across chunks, without parsing it: it counts brackets outside strings and
 * skips strings (escapes included). It does not validate; a malformed value
 * simply ends somewhere else or never, and the reader that runs afterwards
 * reports the syntax error with its position.
 */
export class JsonValueEnd {
  private depth = 0;
  private inString = false;
  private escape = false;
  private started = false;
  private done = false;
  /** Whether a line break occurred inside the value (outside strings: a pretty-printed value). */
  multiline = false;

  /**
   * Feeds the next bytes, the first of them being (or preceding, after
   * whitespace) the value's opening bracket. Returns the index in `chunk` just
   * after the closing bracket, or -1 when the value goes on past this chunk.
   */
  feed(chunk: Uint8Array): number {
    if (this.done) throw new Error("JsonValueEnd: the value has already ended");
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.escape) {
        this.escape = false;
        i++;
        continue;
      }
      if (this.inString) {
        // Jump to the next quote or backslash: strings are most of the bytes.
        const q = chunk.indexOf(QUOTE, i);
        const b = chunk.indexOf(BACKSLASH, i);
        if (b !== -1 && (q === -1 || b < q)) {
          this.escape = true;
          i = b + 1;
          continue;
        }
        if (q === -1) return -1;
        this.inString = false;
        i = q + 1;
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) this.inString = true;
      else if (c === NEWLINE) this.multiline = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth++;
        this.started = true;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.started && this.depth === 0) {
          this.done = true;
          return i + 1;
        }
      }
      i++;
    }
    return -1;
  }
}
