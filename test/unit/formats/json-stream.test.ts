/**
 * The byte scanner + JSON.parse path of streamJsonValues against the
 * tokenizer-only implementation it replaced (kept below verbatim as the
 * reference): the same values with the same key paths in the same order, and
 * the same error (message and position) at the same point, for the fixtures,
 * hand-made edge cases and randomly damaged documents, each fed in chunks of
 * many sizes.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { TokenParser, Tokenizer } from "@streamparser/json";
import { streamJsonValues, type JsonKey, type JsonStreamValue } from "../../../src/formats/json-stream.ts";
import { FileFormatError, type ByteSource } from "../../../src/formats/types.ts";

// ---------------------------------------------------------------------------
// The reference: src/formats/json-stream.ts as it was before the scanner.

class ExactTokenizer extends Tokenizer {
  protected override parseNumber(text: string): number {
    const n = Number(text);
    return (Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : text) as number;
  }
}

async function referenceStreamJsonValues(
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

// ---------------------------------------------------------------------------
// Harness

/** The selectors the readers use (otlp-json.ts, jaeger-json.ts, zipkin-json.ts, read-trace-file.ts). */
const OTLP_CONTAINERS = ["$.resourceSpans", "$.batches", "$.result.resourceSpans", "$.trace.resourceSpans", "$.*.resourceSpans", "$.*.batches"];
const OTLP_PATHS = OTLP_CONTAINERS.flatMap((c) => [
  `${c}.*.resource`,
  `${c}.*.schemaUrl`,
  `${c}.*.scopeSpans.*.scope`,
  `${c}.*.scopeSpans.*.schemaUrl`,
  `${c}.*.instrumentationLibrarySpans.*.schemaUrl`,
  `${c}.*.scopeSpans.*.spans.*`,
  `${c}.*.instrumentationLibrarySpans.*.instrumentationLibrary`,
  `${c}.*.instrumentationLibrarySpans.*.spans.*`,
]);
const PATH_SETS: Record<string, string[]> = {
  otlp: OTLP_PATHS,
  "jaeger data": ["$.data.*"],
  "jaeger one trace": ["$.data"],
  array: ["$.*"],
  root: ["$"],
  none: [],
  // Selected strings, numbers and literals, and values below selected ones.
  scalars: ["$.data.*.traceID", "$.*.id", "$.*.timestamp", "$.*.debug", "$.resourceSpans.*.schemaUrl", "$.traceId"],
  "two levels": ["$.*.*"],
  nested: ["$.data", "$.data.*"],
};

/** mulberry32 */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bytes in chunks: a fixed size, or random sizes from 1 to -size. */
async function* chunked(bytes: Uint8Array, size: number, seed = 1): ByteSource {
  const rand = prng(seed);
  for (let i = 0; i < bytes.length; ) {
    const n = size > 0 ? size : 1 + Math.floor(rand() * -size);
    // Fresh copies, so that a reader that keeps a chunk it should have copied is caught.
    yield bytes.slice(i, i + n);
    i += n;
  }
}

type Impl = typeof streamJsonValues;

interface Outcome {
  values: JsonStreamValue[];
  bytes?: number;
  error?: string;
  where?: unknown;
}

async function outcome(impl: Impl, bytes: Uint8Array, paths: string[], size: number, stopAt = -1): Promise<Outcome> {
  const values: JsonStreamValue[] = [];
  const stop = new Error("stop");
  try {
    const r = await impl(
      chunked(bytes, size),
      paths,
      (v) => {
        if (values.length === stopAt) throw stop;
        values.push(v);
      },
      new AbortController().signal,
    );
    return { values, bytes: r.bytes };
  } catch (err) {
    if (err === stop) return { values, error: "stopped by the callback" };
    if (err instanceof FileFormatError) return { values, error: err.message, where: err.where };
    return { values, error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

async function expectSame(bytes: Uint8Array, paths: string[], sizes: number[], stopAt = -1): Promise<Outcome> {
  let last: Outcome | undefined;
  for (const size of sizes) {
    const want = await outcome(referenceStreamJsonValues, bytes, paths, size, stopAt);
    const got = await outcome(streamJsonValues, bytes, paths, size, stopAt);
    const w = want.where as { line?: number; column?: number } | undefined;
    if (w?.column !== undefined && w.column < 1 && !Bun.deepEquals(got, want, true)) {
      // The reference misplaced an error whose token began in an earlier chunk
      // (invalid UTF-8 in a string across a chunk boundary): it counted that
      // chunk's newlines past the token. Same offset and message; the line and
      // column are now right.
      const g = got.where as { line: number; column: number; offset: number };
      expect(g.column).toBeGreaterThanOrEqual(1);
      expect(g.offset).toBe((want.where as { offset: number }).offset);
      for (const o of [want, got]) {
        o.error = o.error!.replace(/^Invalid JSON at line -?\d+, column -?\d+/, "Invalid JSON at …");
        o.where = { ...(o.where as object), line: 0, column: 0 };
      }
    }
    if (!Bun.deepEquals(got, want, true)) {
      // Show the difference with the input's start.
      if (process.env.JSON_FUZZ_DUMP) await Bun.write(process.env.JSON_FUZZ_DUMP, bytes);
      expect({ size, input: new TextDecoder().decode(bytes.subarray(0, 300)), ...got }).toStrictEqual({ size, input: new TextDecoder().decode(bytes.subarray(0, 300)), ...want });
    }
    last = got;
  }
  return last!;
}

const enc = (s: string) => new TextEncoder().encode(s);
const SIZES = [1 << 20, 1, 2, 3, 5, 16, 97, 4096, -7, -300];

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith(".json") || name.endsWith(".jsonl")) out.push(p);
  }
  return out.sort();
}

const FIXTURES = join(import.meta.dir, "..", "..", "fixtures", "traces");

// ---------------------------------------------------------------------------

describe("the same values and errors as the tokenizer", () => {
  for (const file of jsonFiles(FIXTURES)) {
    const rel = file.slice(FIXTURES.length + 1);
    test(rel, async () => {
      const bytes = new Uint8Array(readFileSync(file));
      for (const paths of Object.values(PATH_SETS)) await expectSame(bytes, paths, bytes.length > 30_000 ? [1 << 20, 7, -500] : [1 << 20, 1, 3, 64, -300]);
    });
  }

  const CASES: Record<string, string> = {
    "OTLP, resource after the spans": '{"resourceSpans":[{"scopeSpans":[{"spans":[{"a":1},{"b":[2,{"c":"}"}]}],"scope":{"name":"s"}}],"resource":{"attributes":[]}}]}',
    "escapes and quotes in strings": String.raw`{"data":[{"k\"ey":"va\\\"l}]ue","x":"\\","y":"\u00e9\ud83d\ude00\"","spans":[]},{"z":"\\\\\\\""}]}`,
    "escaped selector keys": String.raw`{"d\u0061ta":[{"a":1}],"data":[{"b":2}]}`,
    "integers beyond 2^53": '{"data":[{"id":12345678901234567890,"n":-9007199254740993,"ok":9007199254740991,"f":1.5e300,"g":12345678901234567890.5,"e":1e25,"s":"12345678901234567890"}, {"t":[9007199254740992, 9007199254740993]}]}',
    "pretty-printed": '{\n  "data": [\n    {\n      "a": [1, 2,\n 3]\n    },\n\t{ "b" : null }\r\n  ]\n}\n',
    "non-ASCII": '{"data":[{"name":"ünïcødé 日本語 🎉","k":"€"},{"é":"x"}]}',
    "scalars where elements are selected": '{"data":[1,"two",true,null,-3.5e2,{"x":1},[2],false]}',
    "empty containers": '{"data":[{},[],{"a":{}}],"other":{}}',
    "skipped values around": '{"x":{"y":[1,{"z":"]"}]},"data":[{"a":1}],"t":"}","u":[[[]]],"v":-0.5,"w":true}',
    "a selected value inside a selected value": '{"data":[{"data":[1]}]}',
    "duplicate keys": '{"data":[{"a":1,"a":2}],"data":[{"b":3}]}',
    "__proto__ key": '{"data":[{"__proto__":{"x":1},"a":1}]}',
    "whole document selected": '{"traceID":"1","spans":[{"spanID":"2"}],"processes":{"p1":{"serviceName":"s"}}}',
    "array at the root": '[{"traceId":"1","id":"2"},{"traceId":"3","id":"4"}]',
    "array of requests": '[{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"s":1}]}]}]},{"batches":[{"scopeSpans":[{"spans":[{"s":2}]}]}]}]',
    "trailing comma": '{"data":[{"a":1},\n]}',
    "trailing comma in an element": '{"data":[{"a":1,}]}',
    "missing comma": '{"data":[{"a":1} {"b":2}]}',
    "missing colon": '{"data" [{"a":1}]}',
    "unclosed string": '{"data":[{"a":"x}]}',
    "mismatched brackets": '{"data":[{"a":[1,2}]}]}',
    "control character in a string": '{"data":[{"a":"x\ny"}]}',
    "bad escape": String.raw`{"data":[{"a":"\x"}]}`,
    "bad number": '{"data":[{"a":01}]}',
    "bad literal": '{"data":[{"a":tru}]}',
    "comment": '{"data":[{"a":1} // no\n]}',
    "data after the end": '{"data":[{"a":1}]} {"x":1}',
    "whitespace after the end": '{"data":[{"a":1}]}  \n\n ',
    "truncated in an element": '{"data":[{"a":1},{"b":[2,3',
    "truncated in structure": '{"data":[{"a":1},',
    "truncated in a key": '{"da',
    "just a number": "42",
    "just a string": '"data"',
    "empty": "",
    "only whitespace": "  \n ",
    "invalid UTF-8 in an element": '{"data":[{"a":"\xff\xfe"}]}',
    "single span object": '{"traceId":"a","id":"b","tags":{"k":"v"}}',
  };
  for (const [name, text] of Object.entries(CASES)) {
    test(name, async () => {
      const bytes = name.includes("invalid UTF-8") ? new Uint8Array([...text].map((c) => c.charCodeAt(0))) : enc(text);
      for (const paths of Object.values(PATH_SETS)) await expectSame(bytes, paths, SIZES);
    });
  }

  test("integers beyond 2^53 inside elements stay exact", async () => {
    const got = await outcome(streamJsonValues, enc(CASES["integers beyond 2^53"]!), ["$.data.*"], 1 << 20);
    expect(got.values[0]!.value).toEqual({ id: "12345678901234567890", n: "-9007199254740993", ok: 9007199254740991, f: 1.5e300, g: 12345678901234567890.5, e: 1e25, s: "12345678901234567890" });
    expect(got.values[1]!.value).toEqual({ t: ["9007199254740992", "9007199254740993"] });
  });

  test("the trailing-comma error is where the tokenizer put it", async () => {
    const got = await outcome(streamJsonValues, enc('[\n{"traceId":"1","id":"2"},\n]'), ["$.*"], 1 << 20);
    expect(got.error).toBe('Invalid JSON at line 3, column 1: unexpected "]"');
    expect(got.values.length).toBe(1);
  });

  test("an error thrown by the callback passes through unchanged, after the same values", async () => {
    const bytes = readFileSync(join(FIXTURES, "otlp", "kiali-tempo-batches.json"));
    for (const stopAt of [0, 1, 5]) await expectSame(new Uint8Array(bytes), OTLP_PATHS, [1 << 20, 13], stopAt);
    await expectSame(enc('{"data":[1,{"a":1},2,{"b":2}]}'), ["$.data.*"], [1 << 20, 1], 2);
  });
});

describe("randomly damaged documents fail (or not) exactly as with the tokenizer", () => {
  const seeds = [
    ["otlp/jaeger-three-services-events.json", OTLP_PATHS],
    ["otlp/data-prepper-no-spans.json", OTLP_PATHS],
    ["zipkin/lens-messaging-kafka.json", ["$.*.id", "$.*.tags", "$.*.timestamp"]],
    ["otlp/data-prepper-base64-anyvalues.json", OTLP_PATHS],
    ["jaeger/jaeger-query-api-response.json", ["$.data.*"]],
    ["zipkin/lens-messaging.json", ["$.*"]],
    ["zipkin/bench-single-object-unicode.json", ["$"]],
  ] as const;
  const NOISE = new Uint8Array([...'{}[],:"\\ \n0-9e.tnu'].map((c) => c.charCodeAt(0)).concat([0xff, 0xc3, 0x01]));
  // JSON_FUZZ_ROUNDS=5000 for a longer run.
  const ROUNDS = Number(process.env.JSON_FUZZ_ROUNDS ?? 40);
  const variants = seeds.flatMap(([rel, paths]) => {
    const text = readFileSync(join(FIXTURES, rel), "utf8");
    // Also pretty-printed, and compact, with a long integer and escapes added.
    const doc = JSON.parse(text);
    const compact = JSON.stringify(doc).replace(/^\{/, '{"x":12345678901234567890,"k\\"\\\\":"\\u00e9\\\\",');
    return [
      [rel, paths, text],
      [`${rel}, pretty`, paths, JSON.stringify(doc, null, 2)],
      ...(compact.startsWith('{"x"') ? [[`${rel}, compact`, paths, compact]] : []),
    ] as [string, readonly string[], string][];
  });
  for (const [name, paths, text] of variants) {
    test(name, async () => {
      const original = enc(text);
      const rand = prng(name.length * 7919);
      for (let round = 0; round < ROUNDS; round++) {
        let bytes = original;
        const edits = 1 + Math.floor(rand() * 3);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rand() * bytes.length);
          const kind = Math.floor(rand() * 4);
          const noise = NOISE[Math.floor(rand() * NOISE.length)]!;
          if (kind === 0) bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
          else if (kind === 1) bytes = new Uint8Array([...bytes.subarray(0, at), noise, ...bytes.subarray(at)]);
          else if (kind === 2) bytes = new Uint8Array([...bytes.subarray(0, at), noise, ...bytes.subarray(at + 1)]);
          else bytes = bytes.subarray(0, at);
        }
        await expectSame(bytes, [...paths], [1 << 20, 3, -64]);
      }
    });
  }
});
