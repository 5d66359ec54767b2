import { TokenParser, Tokenizer } from "@streamparser/json";
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, isJsonWhitespace, NEWLINE, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-bytes.ts";
import { parseJsonExact } from "./json-exact.ts";
import { FileFormatError, type ByteSource } from "./types.ts";

export type JsonKey = string | number;

export interface JsonStreamValue {
  value: unknown;
  /** The value's key path from the document root. */
  keys: JsonKey[];
}

/**
 * Parses one JSON document as a stream and calls `onValue` for each value at
 * one of `paths` (JSONPath with `*` wildcards), never holding the whole
 * document: values outside those paths are dropped as they are read.
 *
 * Integers beyond 2^53 are kept as strings so that ids and counters stay exact.
 * A syntax error becomes a FileFormatError with the byte offset, line and
 * column; an incomplete document says so.
 *
 * How (bench/README.md has the figures): a byte scanner walks the containers
 * down to the selected values, checking their structure as it goes, finds
 * where each selected object or array ends (tracking strings, escapes and
 * brackets, nothing more) and hands its bytes to the native JSON.parse. The
 * pure-JavaScript streaming tokenizer (@streamparser/json), which used to read
 * every byte, now only reads what the scanner does not handle itself: from
 * the first thing that surprises it (a syntax error, an element JSON.parse
 * refuses, a value it does not skip on its own, the end of the file in the
 * middle of a value) it is started in the state the document is in there and
 * fed the rest of the bytes, with each element JSON.parse reads replaced by
 * `null`. So every error is reported where and as the tokenizer reported it
 * when it read the whole file, and what only the tokenizer accepts is still
 * read the old way.
 */
export async function streamJsonValues(
  source: ByteSource,
  paths: string[],
  onValue: (v: JsonStreamValue) => void,
  signal: AbortSignal,
): Promise<{ bytes: number }> {
  const reader = new JsonElementReader(paths, onValue);
  for await (const chunk of source) {
    signal.throwIfAborted();
    reader.write(chunk);
  }
  return { bytes: reader.end() };
}

/** Keeps integers beyond 2^53 as their decimal text instead of rounding them. */
class ExactTokenizer extends Tokenizer {
  protected override parseNumber(text: string): number {
    const n = Number(text);
    return (Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : text) as number;
  }
}


const NULL_TEXT = new TextEncoder().encode("null");
const COMMA_NULL_TEXT = new TextEncoder().encode(",null");
const SCALAR = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

/** Bytes that end a number or a literal (true, false, null). */
function endsScalar(b: number): boolean {
  return b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || b === COLON || b === QUOTE || b === OPEN_BRACE || b === OPEN_BRACKET || isJsonWhitespace(b);
}

/** A JSON number's value as the tokenizer gives it: exact (its text) beyond 2^53. */
function exactNumber(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : text;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

// ---------------------------------------------------------------------------
// The selectors (JSONPath with `*` wildcards) as a trie, and the set of trie
// nodes that a position in the document matches, memoised per key.

interface PathNode {
  children: Map<string, PathNode>;
  star: PathNode | null;
  terminal: boolean;
}

class PathSet {
  /** A value here is selected. */
  readonly terminal: boolean;
  /** Something below a value here may be selected. */
  readonly descend: boolean;
  private readonly literal: boolean;
  private readonly numericLiteral: boolean;
  private starChild: PathSet | undefined;
  private readonly byKey = new Map<string, PathSet>();

  constructor(private readonly nodes: PathNode[]) {
    this.terminal = nodes.some((n) => n.terminal);
    this.descend = nodes.some((n) => n.star !== null || n.children.size > 0);
    this.literal = nodes.some((n) => n.children.size > 0);
    this.numericLiteral = nodes.some((n) => [...n.children.keys()].some((k) => /^\d+$/.test(k)));
  }

  /** The set at `key` (an object key or an array index) below this one. */
  child(key: JsonKey): PathSet {
    if (!this.literal || (typeof key === "number" && !this.numericLiteral)) {
      return (this.starChild ??= new PathSet(this.nodes.flatMap((n) => (n.star ? [n.star] : []))));
    }
    const k = String(key);
    let set = this.byKey.get(k);
    if (set === undefined) {
      const next: PathNode[] = [];
      for (const n of this.nodes) {
        if (n.star) next.push(n.star);
        const c = n.children.get(k);
        if (c) next.push(c);
      }
      set = new PathSet(next);
      if (this.byKey.size < 1024) this.byKey.set(k, set);
    }
    return set;
  }
}

/** The trie of `paths`, as TokenParser reads them; null when one selects everything. */
function compilePaths(paths: string[]): PathSet | null {
  const root: PathNode = { children: new Map(), star: null, terminal: false };
  for (const path of paths) {
    if (path === undefined || path === "$*" || !path.startsWith("$")) return null;
    let node = root;
    for (const segment of path.split(".").slice(1)) {
      if (segment === "") return null;
      if (segment === "*") node = node.star ??= { children: new Map(), star: null, terminal: false };
      else {
        let c = node.children.get(segment);
        if (!c) node.children.set(segment, (c = { children: new Map(), star: null, terminal: false }));
        node = c;
      }
    }
    node.terminal = true;
  }
  return new PathSet([root]);
}

// What the scanner is in the middle of.
const IN_STRUCTURE = 0; // between the tokens of the containers it walks
const IN_KEY = 1; // an object key of one of them
const IN_STRING = 2; // a string it skips
const IN_SCALAR = 3; // a number or literal it skips
const IN_SKIPPED = 4; // a container the tokenizer reads (nothing is selected in it, or something in a selected value)
const IN_ELEMENT = 5; // a selected object or array, parsed with JSON.parse when it ends
const RAW = 6; // everything from here on goes to the tokenizer as it is

// What may come next in IN_STRUCTURE.
const EXPECT_VALUE = 0;
const EXPECT_FIRST_VALUE = 1; // after `[`
const EXPECT_FIRST_KEY = 2; // after `{`
const EXPECT_KEY = 3; // after `,` in an object
const EXPECT_COLON = 4;
const EXPECT_NEXT = 5; // after a value: `,` or the end of its container
const EXPECT_NOTHING = 6; // after the root value

const OBJECT = 1;
const ARRAY = 2;

/** The bytes of a value (element or token) that started in an earlier chunk. */
interface Held {
  /** Where the value starts in the document. */
  offset: number;
  /** Copies (a source may reuse its buffers): the first from the value's start, then whole chunks. */
  parts: Uint8Array[];
  /** Where the chunk of each part starts in the document. */
  chunkStarts: number[];
  /** Newlines before the value, and where the line it starts on starts. */
  newlines: number;
  lastLineStart: number;
}

class JsonElementReader {
  // The tokenizer and token parser, once started (see streamJsonValues).
  private tokenizer: ExactTokenizer | null = null;
  private parser: TokenParser | null = null;
  /** Where (in the bytes fed to the tokenizer) the last token started. */
  private lastTokenOffset = 0;
  private callbackError: unknown = null;
  /** Bytes fed to the tokenizer so far. */
  private fed = 0;
  /** Document offset minus fed offset, for the bytes being fed. */
  private delta = 0;
  /** While the tokenizer reads the made-up start that puts it in the document's state: it emits nothing. */
  private replaying = false;
  /** Fed offset of the placeholder `null` being fed, or -1. */
  private placeholderAt = -1;

  // Where the document is.
  private offset = 0; // of the current chunk
  private chunk: Uint8Array | null = null;
  /** The current chunk as a Buffer, to decode ranges of it without making views. */
  private view: Buffer = Buffer.alloc(0);
  private newlines = 0; // before the current chunk
  private lastLineStart = 0;
  private sawContent = false;

  // The scanner.
  private mode = IN_STRUCTURE;
  private expect = EXPECT_VALUE;
  private readonly frameType: number[] = [];
  private readonly frameSet: PathSet[] = [];
  /** The current key (objects) or index (arrays) of each open container. */
  private readonly framePos: JsonKey[] = [];
  private depth = 0;
  /** The selectors at the value about to be read. */
  private valueSet: PathSet;
  /** Start, in the current chunk, of the bytes not yet fed to the tokenizer (once started); -1 when there are none. */
  private rawStart = 0;
  /** Inside a string, the previous chunk ended with an unpaired backslash. */
  private escapeCarry = false;
  /** Where the last token the scanner read starts: the tokenizer reports an error without a position (invalid UTF-8) there. */
  private lastToken = 0;
  /** The line of lastToken, noted at the end of the chunk that holds it. */
  private lastTokenLine = { offset: -1, newlines: 0, lastLineStart: 0 };

  // A key, a skipped string or a skipped scalar being read: where it starts,
  // the state before it, its bytes from earlier chunks, and whether it is
  // plain (printable ASCII without escapes: valid without further checks).
  private tokenStart = 0; // in the current chunk, or -1
  private tokenOffset = 0; // in the document
  private tokenExpect = EXPECT_VALUE;
  private tokenPlain = true;
  /** The token is a selected value (a string or scalar at one of the paths). */
  private tokenSelected = false;
  /** lastToken before the token. */
  private tokenPrevious = 0;

  // A skipped container or an element being scanned.
  private readonly brackets: number[] = [];
  private nesting = 0;
  private inString = false;
  /** The element has a digit run long enough to be an integer beyond 2^53. */
  private longNumber = false;
  private digitRun = 0;
  // The element being scanned.
  private elementStart = 0; // in the current chunk, or -1 when it started earlier
  private elementOffset = 0; // in the document
  /** The bytes, from earlier chunks, of the element or token being read. */
  private held: Held | null = null;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(
    private readonly paths: string[],
    private readonly onValue: (v: JsonStreamValue) => void,
  ) {
    const set = compilePaths(paths);
    this.valueSet = set ?? new PathSet([]);
    if (set === null) {
      // A selector that matches everything: the tokenizer reads it all.
      this.startTokenizer(0, "");
      this.mode = RAW;
    }
  }

  write(chunk: Uint8Array): void {
    const chunkStart = this.offset;
    this.chunk = chunk;
    this.view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.sawContent && chunk.some((b) => !isJsonWhitespace(b))) this.sawContent = true;
    if (this.isEnded()) {
      // Only whitespace may follow the document.
      const rest = chunk.findIndex((b) => !isJsonWhitespace(b));
      if (rest >= 0) {
        const pos = this.position(chunkStart + rest);
        throw new FileFormatError(`Invalid JSON at line ${pos.line}, column ${pos.column}: unexpected data after the end of the JSON document`, pos);
      }
    } else {
      this.scan(chunk);
    }
    this.offset += chunk.length;
    // Count the lines, and note the line of the token before what is being read, if it is in this chunk.
    const token = this.mode === IN_KEY || this.mode === IN_STRING || this.mode === IN_SCALAR ? this.tokenPrevious : this.lastToken;
    const last = token - chunkStart;
    const note = last >= 0 && last < chunk.length;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) {
      if (note && i >= last && this.lastTokenLine.offset !== token) this.lastTokenLine = { offset: token, newlines: this.newlines, lastLineStart: this.lastLineStart };
      this.newlines++;
      this.lastLineStart = chunkStart + i + 1;
    }
    if (note && this.lastTokenLine.offset !== token) this.lastTokenLine = { offset: token, newlines: this.newlines, lastLineStart: this.lastLineStart };
    this.chunk = null;
  }

  /** After the last chunk: the document's size; throws if it is empty or incomplete. */
  end(): number {
    // The document ends inside a value: the tokenizer reads what there is of it (and may find an error in it).
    if (this.mode === IN_ELEMENT) {
      this.sync(this.elementOffset, EXPECT_VALUE, -1);
      const bytes = this.heldBytes(null);
      this.feed(bytes, 0, bytes.length, this.elementOffset);
    } else if (this.mode === IN_KEY || this.mode === IN_STRING || this.mode === IN_SCALAR) {
      this.syncAtToken(null);
    }
    if (!this.sawContent) throw new FileFormatError("The file is empty");
    if (!this.isEnded()) {
      const pos = this.position(this.offset);
      throw new FileFormatError(`Invalid JSON: the document ends early at line ${pos.line}, column ${pos.column} (is the file truncated?)`, pos);
    }
    return this.offset;
  }

  private isEnded(): boolean {
    return this.tokenizer !== null ? this.tokenizer.isEnded : this.mode === IN_STRUCTURE && this.expect === EXPECT_NOTHING;
  }

  // -------------------------------------------------------------------------
  // The tokenizer

  /**
   * Starts the tokenizer at document offset `at`, where the scanner is in
   * state `expect` inside its open containers (unless it already runs): it
   * first reads a made-up document start that leaves it, and its token
   * parser, in the state the real one left them in (the same containers,
   * keys, indexes and expectations), emitting nothing. `rawStart` says
   * where, in the current chunk, the bytes it is fed next begin (-1: none).
   */
  private sync(at: number, expect: number, rawStart: number, previousToken = this.lastToken): void {
    if (this.tokenizer !== null) return;
    let prefix = "";
    for (let d = 0; d < this.depth; d++) {
      const top = d === this.depth - 1;
      const e = top ? expect : EXPECT_VALUE;
      const pos = this.framePos[d]!;
      if (this.frameType[d] === OBJECT) {
        const key = JSON.stringify(String(pos));
        prefix += e === EXPECT_FIRST_KEY ? "{" : e === EXPECT_KEY ? '{"":null,' : e === EXPECT_COLON ? `{${key}` : e === EXPECT_NEXT ? `{${key}:null` : `{${key}:`;
      } else {
        prefix += "[" + "null,".repeat(pos as number) + (e === EXPECT_NEXT ? "null" : "");
      }
    }
    if (this.depth === 0 && expect === EXPECT_NOTHING) prefix = "null";
    this.startTokenizer(at, prefix);
    this.lastTokenOffset = previousToken - this.delta;
    this.rawStart = rawStart;
  }

  private startTokenizer(at: number, prefix: string): void {
    const tokenizer = new ExactTokenizer();
    const parser = new TokenParser({ paths: this.paths, keepStack: false });
    this.tokenizer = tokenizer;
    this.parser = parser;
    tokenizer.onToken = (token) => {
      this.lastTokenOffset = token.offset;
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
    parser.onValue = ({ value, key, stack }) => {
      if (this.replaying) return;
      if (this.placeholderAt >= 0 && this.lastTokenOffset === this.placeholderAt) {
        this.placeholderAt = -1;
        return;
      }
      const keys: JsonKey[] = [];
      for (let i = 1; i < stack.length; i++) keys.push(stack[i]!.key as JsonKey);
      keys.push(key as JsonKey);
      try {
        this.onValue({ value, keys });
      } catch (err) {
        this.callbackError = err;
        throw err;
      }
    };
    if (prefix !== "") {
      const bytes = new TextEncoder().encode(prefix);
      this.replaying = true;
      tokenizer.write(bytes);
      this.replaying = false;
      this.fed = bytes.length;
    }
    this.delta = at - this.fed;
  }

  /** Feeds bytes[from, to), which start at document offset `at`, once the tokenizer runs; a syntax error becomes a FileFormatError. */
  private feed(bytes: Uint8Array, from: number, to: number, at: number): void {
    if (this.tokenizer === null || to <= from) return;
    this.delta = at - this.fed;
    this.fed += to - from;
    try {
      this.tokenizer.write(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to));
    } catch (err) {
      throw this.syntaxError(err);
    }
  }

  /** Feeds the `null` that stands for an element JSON.parse read, after chunk[rawFrom, rawTo) that precedes it. */
  private feedPlaceholder(chunk: Uint8Array, rawFrom: number, rawTo: number): void {
    if (this.tokenizer === null) return;
    let text = NULL_TEXT;
    if (rawTo - rawFrom === 1 && chunk[rawFrom] === COMMA) text = COMMA_NULL_TEXT;
    else this.feed(chunk, rawFrom, rawTo, this.offset + rawFrom);
    this.placeholderAt = this.fed + text.length - 4;
    this.delta = this.offset + rawFrom - this.fed;
    this.fed += text.length;
    try {
      this.tokenizer.write(text);
    } catch (err) {
      throw this.syntaxError(err);
    }
    this.placeholderAt = -1;
  }

  private syntaxError(err: unknown): unknown {
    if (this.callbackError !== null) return this.callbackError;
    if (err instanceof FileFormatError || !(err instanceof Error)) return err;
    const abs = /absolute position "(\d+)"/.exec(err.message);
    const at = (abs ? Number(abs[1]) : this.lastTokenOffset) + this.delta;
    const pos = this.position(at);
    const found = /Unexpected "(.*?)"/.exec(err.message)?.[1] ?? /Unexpected \w+ \("(.*?)"\)/.exec(err.message)?.[1];
    // The tokenizer counts what it was fed; say where that is in the document and in its chunk, as when it read every byte.
    const message = err.message.replace(/at chunk position "\d+" \(absolute position "\d+"\)/, () => `at chunk position "${at - this.chunkStartOf(at)}" (absolute position "${at}")`);
    const ended = this.tokenizer!.isEnded && this.parser!.isEnded;
    const what = ended ? "unexpected data after the end of the JSON document" : found !== undefined ? `unexpected ${JSON.stringify(found)}` : message;
    return new FileFormatError(`Invalid JSON at line ${pos.line}, column ${pos.column}: ${what}`, pos);
  }

  /** Where the source chunk that holds document offset `at` starts. */
  private chunkStartOf(at: number): number {
    if (at >= this.offset || this.held === null) return this.offset;
    const starts = this.held.chunkStarts;
    let start = this.offset;
    for (let i = starts.length - 1; i >= 0; i--) {
      start = starts[i]!;
      if (at >= start) break;
    }
    return start;
  }

  /** Line and column (1-based, bytes) of a document offset in the current chunk or in the value held from earlier ones. */
  private position(at: number): { offset: number; line: number; column: number } {
    let line = this.newlines;
    let lineStart = this.lastLineStart;
    const chunk = this.chunk;
    const held = this.held;
    if (at < this.offset && held !== null && at >= held.offset) {
      line = held.newlines;
      lineStart = held.lastLineStart;
      let p = held.offset;
      for (const part of held.parts) {
        for (let i = 0; i < part.length && p + i < at; i++) {
          if (part[i] === NEWLINE) {
            line++;
            lineStart = p + i + 1;
          }
        }
        p += part.length;
      }
    } else if (at < this.offset && at === this.lastTokenLine.offset) {
      line = this.lastTokenLine.newlines;
      lineStart = this.lastTokenLine.lastLineStart;
    } else if (chunk) {
      for (let i = 0; i < at - this.offset && i < chunk.length; i++) {
        if (chunk[i] === NEWLINE) {
          line++;
          lineStart = this.offset + i + 1;
        }
      }
    }
    return { offset: at, line: line + 1, column: at - lineStart + 1 };
  }

  /** Keeps chunk[start, end) (start -1: the whole chunk) of a value that starts at document offset `offset` and goes on in the next chunk. */
  private hold(chunk: Uint8Array, start: number, offset: number): void {
    if (this.held === null) {
      let newlines = this.newlines;
      let lastLineStart = this.lastLineStart;
      for (let i = chunk.indexOf(NEWLINE); i !== -1 && i < start; i = chunk.indexOf(NEWLINE, i + 1)) {
        newlines++;
        lastLineStart = this.offset + i + 1;
      }
      this.held = { offset, parts: [], chunkStarts: [], newlines, lastLineStart };
    }
    this.held.parts.push(start >= 0 ? chunk.slice(start) : chunk.slice());
    this.held.chunkStarts.push(this.offset);
  }

  /** The held bytes, followed by `tail`. */
  private heldBytes(tail: Uint8Array | null): Uint8Array {
    const parts = this.held === null ? [] : this.held.parts;
    if (tail === null || tail.length === 0) return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
  }

  // -------------------------------------------------------------------------
  // The scanner

  private scan(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    this.rawStart = this.mode === IN_ELEMENT ? -1 : 0;
    if (this.mode === IN_ELEMENT) this.elementStart = -1;
    if (this.mode === IN_KEY || this.mode === IN_STRING || this.mode === IN_SCALAR) this.tokenStart = -1;
    while (i < n) {
      switch (this.mode) {
        case IN_STRUCTURE:
          i = this.structure(chunk, i);
          break;
        case IN_ELEMENT: {
          const end = this.nested(chunk, i);
          if (end === -1) {
            this.keepElementPart(chunk);
            return;
          }
          if (end === -2) {
            // Brackets that do not match: the tokenizer finds the error.
            this.elementToRaw(chunk);
            return;
          }
          this.endElement(chunk, end);
          i = end;
          break;
        }
        case IN_KEY:
        case IN_STRING: {
          const q = this.tokenPlain ? this.plainStringEnd(chunk, i) : this.stringEnd(chunk, i);
          if (q < 0) {
            this.keepTokenPart(chunk);
            i = n;
            break;
          }
          i = q + 1;
          this.endToken(chunk, i);
          break;
        }
        case IN_SCALAR:
          while (i < n && !endsScalar(chunk[i]!)) i++;
          if (i === n) this.keepTokenPart(chunk);
          else this.endToken(chunk, i);
          break;
        case IN_SKIPPED: {
          const end = this.nested(chunk, i);
          if (end === -1) i = n;
          else if (end === -2) this.mode = RAW;
          else {
            this.afterValue();
            i = end;
          }
          break;
        }
        default: // RAW
          i = n;
      }
    }
    // A key or string that starts with the chunk's last byte.
    if ((this.mode === IN_KEY || this.mode === IN_STRING) && this.tokenStart === n - 1) this.keepTokenPart(chunk);
    if (this.rawStart >= 0) this.feed(chunk, this.rawStart, n, this.offset + this.rawStart);
  }

  /** Reads structure from chunk[i]; returns where it stopped (the end, or where another mode starts). */
  private structure(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i]!;
      if (isJsonWhitespace(c)) {
        i++;
        continue;
      }
      switch (this.expect) {
        case EXPECT_NEXT: {
          const top = this.depth - 1;
          const type = this.frameType[top];
          if (c === COMMA) {
            if (type === OBJECT) this.expect = EXPECT_KEY;
            else {
              const index = (this.framePos[top] as number) + 1;
              this.framePos[top] = index;
              this.valueSet = this.frameSet[top]!.child(index);
              this.expect = EXPECT_VALUE;
            }
            this.lastToken = this.offset + i;
            i++;
            continue;
          }
          if ((c === CLOSE_BRACE && type === OBJECT) || (c === CLOSE_BRACKET && type === ARRAY)) {
            this.depth--;
            this.afterValue();
            this.lastToken = this.offset + i;
            i++;
            continue;
          }
          return this.toRaw(chunk, i);
        }
        case EXPECT_FIRST_KEY:
        case EXPECT_KEY:
          if (c === CLOSE_BRACE && this.expect === EXPECT_FIRST_KEY) {
            this.depth--;
            this.afterValue();
            this.lastToken = this.offset + i;
            i++;
            continue;
          }
          if (c !== QUOTE) return this.toRaw(chunk, i);
          this.startToken(IN_KEY, chunk, i, false);
          return i + 1;
        case EXPECT_COLON:
          if (c !== COLON) return this.toRaw(chunk, i);
          this.valueSet = this.frameSet[this.depth - 1]!.child(this.framePos[this.depth - 1]!);
          this.expect = EXPECT_VALUE;
          this.lastToken = this.offset + i;
          i++;
          continue;
        case EXPECT_FIRST_VALUE:
        case EXPECT_VALUE:
          if (c === CLOSE_BRACKET && this.expect === EXPECT_FIRST_VALUE) {
            this.depth--;
            this.afterValue();
            this.lastToken = this.offset + i;
            i++;
            continue;
          }
          this.expect = EXPECT_VALUE;
          return this.value(chunk, i, c);
        default: // EXPECT_NOTHING: data after the document, which the tokenizer reports
          return this.toRaw(chunk, i);
      }
    }
    return n;
  }

  /** A value starts at chunk[i] (= c). */
  private value(chunk: Uint8Array, i: number, c: number): number {
    const set = this.valueSet;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (set.terminal && !set.descend) {
        this.mode = IN_ELEMENT;
        this.elementStart = i;
        this.elementOffset = this.offset + i;
        this.held = null;
        this.nesting = 0;
        this.inString = false;
        this.longNumber = false;
        this.digitRun = 0;
        return i;
      }
      if (!set.terminal && set.descend) {
        this.frameType[this.depth] = c === OPEN_BRACE ? OBJECT : ARRAY;
        this.frameSet[this.depth] = set;
        this.framePos[this.depth] = 0;
        this.depth++;
        this.lastToken = this.offset + i;
        if (c === OPEN_BRACKET) {
          this.valueSet = set.child(0);
          this.expect = EXPECT_FIRST_VALUE;
        } else this.expect = EXPECT_FIRST_KEY;
        return i + 1;
      }
      // Nothing selected inside, or selected values inside a selected one: the tokenizer reads it.
      this.sync(this.offset + i, EXPECT_VALUE, i);
      this.mode = IN_SKIPPED;
      this.nesting = 0;
      this.inString = false;
      return i;
    }
    if (c === QUOTE) {
      this.startToken(IN_STRING, chunk, i, set.terminal);
      return i + 1;
    }
    if (endsScalar(c)) return this.toRaw(chunk, i);
    this.startToken(IN_SCALAR, chunk, i, set.terminal);
    return i;
  }

  private afterValue(): void {
    this.mode = IN_STRUCTURE;
    this.expect = this.depth === 0 ? EXPECT_NOTHING : EXPECT_NEXT;
  }

  /** Something unexpected at chunk[i]: from here on the tokenizer reads everything (and reports the error). */
  private toRaw(chunk: Uint8Array, i: number): number {
    this.sync(this.offset + i, this.expect, i);
    this.mode = RAW;
    return chunk.length;
  }

  // Keys, skipped strings and skipped scalars

  private startToken(mode: number, chunk: Uint8Array, i: number, selected: boolean): void {
    this.mode = mode;
    this.tokenSelected = selected;
    this.tokenStart = i;
    this.tokenOffset = this.offset + i;
    this.tokenExpect = this.expect;
    this.tokenPrevious = this.lastToken;
    this.lastToken = this.tokenOffset;
    this.held = null;
    this.tokenPlain = true;
  }

  private keepTokenPart(chunk: Uint8Array): void {
    if (this.tokenizer !== null) {
      // The tokenizer reads it with the chunk; only a key's text is needed.
      if (this.mode !== IN_KEY) return;
    }
    this.hold(chunk, this.tokenStart, this.tokenOffset);
  }

  /**
   * The token ended just before chunk[end]. Before the tokenizer runs, the
   * scanner checks it (a string with JSON.parse unless it is plain, a scalar
   * against JSON's grammar) and emits it if it is selected; anything invalid
   * starts the tokenizer at the token, which reports it. Once the tokenizer
   * runs it reads the token with the chunk (and emits it if selected).
   */
  private endToken(chunk: Uint8Array, end: number): void {
    const mode = this.mode;
    const scanning = this.tokenizer === null;
    const inChunk = this.held === null;
    const bytes = () => this.heldBytes(chunk.subarray(this.tokenStart >= 0 ? this.tokenStart : 0, end));
    const selected = scanning && this.tokenSelected;
    let value: unknown;
    let valid = true;
    if (mode === IN_SCALAR) {
      if (scanning) {
        const text = inChunk ? this.view.toString("latin1", this.tokenStart, end) : latin1(bytes());
        if (!SCALAR.test(text)) valid = false;
        else if (selected) value = text === "true" ? true : text === "false" ? false : text === "null" ? null : exactNumber(text);
      }
    } else if (this.tokenPlain) {
      if (mode === IN_KEY || selected) {
        if (inChunk) value = this.view.toString("latin1", this.tokenStart + 1, end - 1);
        else {
          const b = bytes();
          value = latin1(b.subarray(1, b.length - 1));
        }
      }
    } else if (scanning || mode === IN_KEY) {
      try {
        value = JSON.parse(this.decoder.decode(bytes()));
      } catch {
        valid = false; // the tokenizer reports it
        value = "";
      }
    }
    if (!valid && scanning) this.syncAtToken(chunk);
    this.held = null;
    if (mode === IN_KEY) {
      this.framePos[this.depth - 1] = value as string;
      this.mode = IN_STRUCTURE;
      this.expect = EXPECT_COLON;
      return;
    }
    this.afterValue();
    if (selected && valid) {
      const keys = this.framePos.slice(0, this.depth);
      if (this.depth === 0) keys.push(undefined as unknown as JsonKey);
      this.onValue({ value, keys });
    }
  }

  /** Starts the tokenizer at the token's start and feeds it the token's bytes from earlier chunks. */
  private syncAtToken(chunk: Uint8Array | null): void {
    if (this.tokenizer !== null) return;
    if (this.tokenStart >= 0 && chunk !== null) {
      this.sync(this.tokenOffset, this.tokenExpect, this.tokenStart, this.tokenPrevious);
      return;
    }
    this.sync(this.tokenOffset, this.tokenExpect, -1, this.tokenPrevious);
    const earlier = this.heldBytes(null);
    this.feed(earlier, 0, earlier.length, this.tokenOffset);
    this.rawStart = chunk === null ? -1 : 0;
  }

  /**
   * The end of a key or skipped string that has been plain so far: the index
   * of its closing quote, or -1 when it goes on past this chunk. At anything
   * but printable ASCII it hands over to stringEnd.
   */
  private plainStringEnd(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const c = chunk[i]!;
      if (c === QUOTE) return i;
      if (c === BACKSLASH || c < 0x20 || c >= 0x7f) {
        this.tokenPlain = false;
        return this.stringEnd(chunk, i);
      }
    }
    return -1;
  }

  /**
   * The index of the quote that closes the string going on at chunk[from], or
   * -1 when it goes on past this chunk.
   */
  private stringEnd(chunk: Uint8Array, from: number): number {
    let i = from;
    if (this.escapeCarry) {
      this.escapeCarry = false;
      i++; // escaped by the backslash that ended the previous chunk
    }
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i]!;
      if (c === QUOTE) return i;
      if (c === BACKSLASH) {
        if (i + 1 === n) {
          this.escapeCarry = true;
          return -1;
        }
        i += 2;
      } else i++;
    }
    return -1;
  }

  // Containers

  /**
   * Scans a container (an element, or one skipped) from chunk[i]: the index
   * just after its closing bracket, -1 when it goes on past this chunk, -2 when
   * a closing bracket does not match. Notes digit runs that may be integers
   * beyond 2^53 (see json-exact.ts).
   */
  private nested(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const brackets = this.brackets;
    let depth = this.nesting;
    if (this.inString) {
      const q = this.stringEnd(chunk, i);
      if (q === -1) return -1;
      this.inString = false;
      i = q + 1;
    }
    if (this.digitRun > 0) {
      // A digit run went on to the end of the previous chunk.
      let j = i;
      while (j < n && chunk[j]! >= 0x30 && chunk[j]! <= 0x39) j++;
      if (j - i + this.digitRun >= 16) this.longNumber = true;
      this.digitRun = j === n ? this.digitRun + j - i : 0;
      i = j;
    }
    while (i < n) {
      const c = chunk[i]!;
      if (c === QUOTE) {
        const q = this.stringEnd(chunk, i + 1);
        if (q === -1) {
          this.inString = true;
          this.nesting = depth;
          return -1;
        }
        i = q + 1;
        continue;
      }
      if (c >= 0x30 && c <= 0x39) {
        const s = i;
        while (++i < n && chunk[i]! >= 0x30 && chunk[i]! <= 0x39);
        if (i - s >= 16 && (i - s > 16 || chunk[s] === 0x39)) this.longNumber = true;
        else if (i === n) this.digitRun = i - s;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) brackets[depth++] = c;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0 || brackets[depth - 1] !== c - 2) {
          this.nesting = depth;
          return -2;
        }
        if (--depth === 0) {
          this.nesting = 0;
          return i + 1;
        }
      }
      i++;
    }
    this.nesting = depth;
    return -1;
  }

  /** The element goes on in the next chunk: keep its bytes. */
  private keepElementPart(chunk: Uint8Array): void {
    // First spill: feed what precedes the element.
    if (this.elementStart >= 0 && this.rawStart >= 0) this.feed(chunk, this.rawStart, this.elementStart, this.offset + this.rawStart);
    this.hold(chunk, this.elementStart, this.elementOffset);
    this.rawStart = -1;
  }

  /** The element's bytes: held ones and chunk[0, end), or chunk[elementStart, end). */
  private elementBytes(chunk: Uint8Array, end: number): Uint8Array {
    return this.held === null ? chunk.subarray(this.elementStart, end) : this.heldBytes(chunk.subarray(0, end));
  }

  private endElement(chunk: Uint8Array, end: number): void {
    const bytes = this.held === null ? null : this.elementBytes(chunk, end);
    let value: unknown;
    let parsed = true;
    try {
      let text: string;
      if (bytes === null) {
        // Decoding a range of the chunk is cheaper than a view and the fatal decoder; invalid UTF-8 shows as U+FFFD, then the decoder decides.
        text = this.view.toString("utf8", this.elementStart, end);
        if (text.includes("\uFFFD")) text = this.decoder.decode(chunk.subarray(this.elementStart, end));
      } else text = this.decoder.decode(bytes);
      value = this.longNumber ? parseJsonExact(text) : JSON.parse(text);
    } catch {
      parsed = false;
    }
    const keys = this.framePos.slice(0, this.depth);
    if (this.depth === 0) keys.push(undefined as unknown as JsonKey);
    if (parsed) {
      if (this.rawStart >= 0) this.feedPlaceholder(chunk, this.rawStart, this.elementStart);
      else this.feedPlaceholder(chunk, 0, 0);
    } else {
      // JSON.parse refuses it: the tokenizer reads it (and reports the error, if it is one).
      this.sync(this.elementOffset, EXPECT_VALUE, this.elementStart >= 0 ? this.elementStart : -1);
      if (this.rawStart >= 0) this.feed(chunk, this.rawStart, this.elementStart, this.offset + this.rawStart);
      const all = bytes ?? this.elementBytes(chunk, end);
      this.feed(all, 0, all.length, this.elementOffset);
    }
    this.held = null;
    this.afterValue();
    this.lastToken = this.offset + end - 1;
    this.rawStart = end;
    if (parsed) this.onValue({ value, keys });
  }

  /** A broken element: it and everything after it go to the tokenizer. */
  private elementToRaw(chunk: Uint8Array): void {
    if (this.elementStart >= 0) {
      this.sync(this.elementOffset, EXPECT_VALUE, this.elementStart);
      if (this.rawStart >= 0) this.feed(chunk, this.rawStart, this.elementStart, this.offset + this.rawStart);
      this.feed(chunk, this.elementStart, chunk.length, this.offset + this.elementStart);
    } else {
      this.sync(this.elementOffset, EXPECT_VALUE, -1);
      const earlier = this.heldBytes(null);
      this.feed(earlier, 0, earlier.length, this.elementOffset);
      this.held = null;
      this.feed(chunk, 0, chunk.length, this.offset);
    }
    this.held = null;
    this.rawStart = -1;
    this.mode = RAW;
  }
}
