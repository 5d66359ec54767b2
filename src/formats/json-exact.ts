/**
 * JSON.parse that keeps integers beyond 2^53 exact, as the streaming tokenizer
 * does (json-stream.ts): an integer that is not a safe integer becomes its
 * decimal text ("12345678901234567890"), so ids, nanosecond timestamps and
 * intValues written as JSON numbers are not rounded. Other numbers (1e20,
 * 0.1234567890123456789) stay numbers, exactly as Number() reads them.
 *
 * JSON.parse's source-text reviver does this, but a reviver is called for
 * every value and costs several times the parse itself. So the reviver runs
 * only when a quick scan finds a candidate: a run of 17 or more digits, or 16
 * starting with 9 (2^53 is 9007199254740992), right after `:`, `,` or `[`
 * (optionally after whitespace and a minus sign), which is where a number
 * outside a string must start. A run inside a string that happens to follow
 * one of those characters is a false alarm that only costs the slower parse.
 */

/** A digit run long enough to be an unsafe integer, where a number token may start. */
const LONG_INTEGER = /[:,[]\s*-?(?:\d{17}|9\d{15})/;
/**
 * A quicker test that every text LONG_INTEGER matches also matches (16 digits
 * after the same characters): about three times faster on text without one,
 * which is nearly all text (bench/README.md).
 */
const SIXTEEN_DIGITS = /(?<=[:,[][\s-]*)\d{16}/;

const INTEGER_TEXT = /^-?\d+$/;

interface ReviverContext {
  source?: string;
}

function keepLongIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    const source = context?.source;
    if (source !== undefined && INTEGER_TEXT.test(source)) return source;
  }
  return value;
}

/** Whether `text` may hold an integer that JSON.parse would round (see above). */
export function mayHoldLongInteger(text: string): boolean {
  return SIXTEEN_DIGITS.test(text) && LONG_INTEGER.test(text);
}

/** JSON.parse, with integers beyond 2^53 kept as their decimal text. Throws a SyntaxError as JSON.parse does. */
export function parseJsonExact(text: string): unknown {
  return mayHoldLongInteger(text) ? JSON.parse(text, keepLongIntegers as (this: unknown, key: string, value: unknown) => unknown) : JSON.parse(text);
}
