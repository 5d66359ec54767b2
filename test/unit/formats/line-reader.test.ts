import { expect, test } from "bun:test";
import { LineTooLongError, LongLine, MAX_LINE_BYTES, readLines } from "../../../src/formats/line-reader.ts";

async function lines(bytes: Uint8Array, chunk: number): Promise<[number, string][]> {
  async function* source() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: [number, string][] = [];
  for await (const { first, lines } of readLines(source())) lines.forEach((l, i) => out.push([first + i, l]));
  return out;
}

test("LF and CRLF, numbered from 1, multi-byte UTF-8 across chunk boundaries, a last line without newline", async () => {
  const bytes = new TextEncoder().encode('{"a":"é€𝄞"}\r\n\n{"b":1}\nlast');
  for (const chunk of [1, 2, 3, 5, 64]) {
    expect(await lines(bytes, chunk)).toEqual([
      [1, '{"a":"é€𝄞"}'],
      [2, ""],
      [3, '{"b":1}'],
      [4, "last"],
    ]);
  }
});

test("a line of many chunks comes out whole", async () => {
  const long = "x".repeat(3 * 1024 * 1024);
  expect(await lines(new TextEncoder().encode(`${long}\nend\n`), 65536)).toEqual([
    [1, long],
    [2, "end"],
  ]);
});

test("a line over the limit is refused with its number", async () => {
  const bytes = new Uint8Array(MAX_LINE_BYTES + 10).fill(0x61);
  bytes.set(new TextEncoder().encode("ok\n"), 0);
  const err = await lines(bytes, 1 << 20).catch((e) => e);
  expect(err).toBeInstanceOf(LineTooLongError);
  expect((err as LineTooLongError).line).toBe(2);
});

/** Reads with bytesOver: each long line as its text (read to its end unless `stopAfter` pieces), CR and all. */
async function withLong(bytes: Uint8Array, chunk: number, over: number, stopAfter = Infinity) {
  async function* source() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: [number, string | { long: string; line: number }][] = [];
  for await (const { first, lines } of readLines(source(), over)) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (typeof l === "string") {
        out.push([first + i, l]);
        continue;
      }
      expect(l).toBeInstanceOf(LongLine);
      const pieces: Uint8Array[] = [];
      let n = 0;
      if (stopAfter > 0) {
        for await (const p of l) {
          pieces.push(p.slice());
          if (++n >= stopAfter) break;
        }
      }
      out.push([first + i, { long: new TextDecoder().decode(Buffer.concat(pieces)), line: l.line }]);
    }
  }
  return out;
}

test("with bytesOver, longer lines come out as streams of their bytes (without the CR), shorter ones decoded", async () => {
  const long = "é".repeat(40);
  const bytes = new TextEncoder().encode(`short\r\n${long}\r\nend`);
  for (const chunk of [1, 7, 64, 1000]) {
    const out = await withLong(bytes, chunk, 16);
    // A CR at the end of a piece before the LF's is handed over (JSON whitespace).
    const text = (out[1]![1] as { long: string }).long.replace(/\r$/, "");
    expect(out.map(([n, l]) => [n, typeof l === "string" ? l : "long"])).toEqual([
      [1, "short"],
      [2, "long"],
      [3, "end"],
    ]);
    expect(text).toBe(long);
    expect((out[1]![1] as { line: number }).line).toBe(2);
    if (chunk >= 64) expect((out[1]![1] as { long: string }).long).toBe(long);
  }
});

test("a long line of many chunks is handed over piece by piece as they arrive, never joined", async () => {
  const long = "x".repeat(100_000);
  const bytes = new TextEncoder().encode(`a\n${long}\nb\n`);
  async function* source() {
    for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
  }
  let sizes: number[] = [];
  const seen: string[] = [];
  for await (const { lines } of readLines(source(), 5000)) {
    for (const l of lines) {
      if (typeof l === "string") seen.push(l);
      else {
        for await (const p of l) sizes.push(p.length);
        seen.push("long");
      }
    }
  }
  expect(seen).toEqual(["a", "long", "b"]);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(100_000);
  // No piece is bigger than a chunk: nothing was joined.
  expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
  expect(sizes.length).toBeGreaterThan(90);
});

test("what a caller leaves of a long line is skipped; the lines after it keep their numbers", async () => {
  const long1 = "a".repeat(5000);
  const long2 = "b".repeat(300);
  const bytes = new TextEncoder().encode(`one\n${long1}\ntwo\n\n${long2}\nthree\n${long1}`);
  for (const chunk of [1, 13, 64, 4096, 100_000]) {
    for (const stopAfter of [0, 1, 2]) {
      const out = await withLong(bytes, chunk, 100, stopAfter);
      expect(out.map(([n, l]) => [n, typeof l === "string" ? l : (l.line === n && l.long.length <= 5000 && /^(a*|b*)$/.test(l.long) && (stopAfter > 0) === (l.long.length > 0) ? "long" : "bad")])).toEqual([
        [1, "one"],
        [2, "long"],
        [3, "two"],
        [4, ""],
        [5, "long"],
        [6, "three"],
        [7, "long"],
      ]);
    }
    const whole = await withLong(bytes, chunk, 100);
    expect(whole.filter(([, l]) => typeof l !== "string").map(([, l]) => (l as { long: string }).long)).toEqual([long1, long2, long1]);
  }
});

test("a long line at the end without a newline, and a long line of one chunk", async () => {
  const long = "z".repeat(2000);
  for (const text of [`${long}`, `${long}\n`, `x\n${long}\ny`]) {
    const bytes = new TextEncoder().encode(text);
    for (const chunk of [100, 1 << 20]) {
      const out = await withLong(bytes, chunk, 1000);
      const longs = out.filter(([, l]) => typeof l !== "string").map(([n, l]) => [n, (l as { long: string }).long]);
      expect(longs).toEqual([[text.startsWith("x") ? 2 : 1, long]]);
      expect(out.length).toBe(text.startsWith("x") ? 3 : 1);
    }
  }
});
