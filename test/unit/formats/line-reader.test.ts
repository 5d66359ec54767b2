import { expect, test } from "bun:test";
import { LineTooLongError, MAX_LINE_BYTES, readLines } from "../../../src/formats/line-reader.ts";

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

test("with bytesOver, longer lines come out as their bytes (without the CR), shorter ones decoded", async () => {
  const long = "é".repeat(40);
  const bytes = new TextEncoder().encode(`short\r\n${long}\r\nend`);
  for (const chunk of [1, 7, 64]) {
    async function* source() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    }
    const out: (string | Uint8Array)[] = [];
    for await (const { lines } of readLines(source(), 16)) out.push(...lines);
    expect(out.length).toBe(3);
    expect(out[0]).toBe("short");
    expect(out[1]).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(out[1] as Uint8Array)).toBe(long);
    expect(out[2]).toBe("end");
  }
});
