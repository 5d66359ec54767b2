import { expect, test } from "bun:test";
import { TokenParser, Tokenizer } from "@streamparser/json";
import { mayHoldLongInteger, parseJsonExact } from "../../../src/formats/json-exact.ts";

/** What the streaming tokenizer (json-stream.ts's reference) makes of a text. */
function tokenizerParse(text: string): unknown {
  class Exact extends Tokenizer {
    protected override parseNumber(t: string): number {
      const n = Number(t);
      return (Number.isSafeInteger(n) || !/^-?\d+$/.test(t) ? n : t) as number;
    }
  }
  const tokenizer = new Exact();
  const parser = new TokenParser();
  let out: unknown;
  tokenizer.onToken = (t) => parser.write(t);
  parser.onValue = ({ value, stack }) => {
    if (stack.length === 0) out = value;
  };
  tokenizer.write(text);
  tokenizer.end();
  return out;
}

test("integers beyond 2^53 stay exact, everything else is JSON.parse's", () => {
  const text = '{"a":12345678901234567890,"b":[1,2.5,-9007199254740993,"x"],"c":1e20,"d":-0,"e":9007199254740991,"f":9007199254740992,"g":0.12345678901234567,"h":"12345678901234567890","i":1700000000000000}';
  expect(parseJsonExact(text)).toEqual({ a: "12345678901234567890", b: [1, 2.5, "-9007199254740993", "x"], c: 1e20, d: -0, e: 9007199254740991, f: "9007199254740992", g: 0.12345678901234567, h: "12345678901234567890", i: 1700000000000000 });
  expect(parseJsonExact(text)).toEqual(tokenizerParse(text) as object);
  expect(() => parseJsonExact('{"a":12345678901234567890,}')).toThrow(SyntaxError);
});

test("the quick check finds every candidate and ignores digits in strings", () => {
  for (const t of ['{"a":12345678901234567}', '{"a": -9007199254740993}', "[9007199254740993]", '{"a":[1,\n 12345678901234567]}']) expect(mayHoldLongInteger(t)).toBe(true);
  for (const t of ['{"a":"12345678901234567890"}', '{"a":1700000000000000}', '{"a":0.12345678901234567}', '{"a":1.5e300}', '{"a":9007199254740991}']) {
    expect(mayHoldLongInteger(t)).toBe(t.includes("9007199254740991"));
  }
});

test("random numbers: the same values as the tokenizer", () => {
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const digits = (n: number) => Array.from({ length: n }, (_, i) => String(i === 0 ? 1 + Math.floor(rand() * 9) : Math.floor(rand() * 10))).join("");
  for (let round = 0; round < 2000; round++) {
    const values: string[] = [];
    for (let k = 0; k < 8; k++) {
      const r = rand();
      const int = (rand() < 0.3 ? "-" : "") + (rand() < 0.05 ? "0" : digits(1 + Math.floor(rand() * 24)));
      values.push(r < 0.6 ? int : r < 0.75 ? `${int}.${digits(1 + Math.floor(rand() * 20))}` : r < 0.85 ? `${int}e${Math.floor(rand() * 30)}` : `"${int}"`);
    }
    const text = rand() < 0.5 ? `[${values.join(",")}]` : `{${values.map((v, i) => `"k${i}": ${v}`).join(", ")}}`;
    expect(parseJsonExact(text)).toEqual(tokenizerParse(text) as object);
  }
});
