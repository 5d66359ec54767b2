import { expect, test } from "bun:test";
import { MAX_MESSAGE_BYTES, readFrames, type BrokenFrame, type Frame } from "../../../src/formats/length-prefixed.ts";

function prefixed(...messages: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  for (const m of messages) out.push((m.length >>> 24) & 255, (m.length >>> 16) & 255, (m.length >>> 8) & 255, m.length & 255, ...m);
  return new Uint8Array(out);
}

async function frames(bytes: Uint8Array, chunk: number): Promise<(Frame | BrokenFrame)[]> {
  async function* source() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: (Frame | BrokenFrame)[] = [];
  for await (const f of readFrames(source())) out.push(f.broken ? f : { ...f, bytes: f.bytes.slice() });
  return out;
}

const msg = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test("messages, numbered, with their offsets, whatever the chunking", async () => {
  const bytes = prefixed(msg(3, 1), msg(0, 0), msg(300, 2));
  for (const chunk of [1, 2, 5, 7, 1000]) {
    const got = await frames(bytes, chunk);
    expect(got.map((f) => [f.number, f.offset, f.broken ? -1 : (f as Frame).bytes.length])).toEqual([
      [1, 0, 3],
      [2, 7, 0],
      [3, 11, 300],
    ]);
    expect((got[2] as Frame).bytes.every((b) => b === 2)).toBe(true);
  }
});

test("a truncated message and a truncated prefix break the framing where they are", async () => {
  const whole = prefixed(msg(10, 1), msg(20, 2));
  const cut = await frames(whole.subarray(0, whole.length - 5), 4);
  expect(cut[0]!.broken).toBeUndefined();
  expect(cut[1]).toEqual({ broken: true, number: 2, offset: 14, reason: "the stream is truncated: the message should have 20 bytes, only 15 are left" });
  const inPrefix = await frames(whole.subarray(0, 16), 3);
  expect(inPrefix[1]).toMatchObject({ broken: true, number: 2, offset: 14, reason: "the stream ends inside a length prefix (2 of 4 bytes)" });
});

test("a length beyond the bound stops at once, without reading on", async () => {
  const n = MAX_MESSAGE_BYTES + 1;
  const bytes = new Uint8Array([...prefixed(msg(2, 9)), (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, 1, 2, 3]);
  const got = await frames(bytes, 64);
  expect(got).toHaveLength(2);
  expect(got[1]).toMatchObject({ broken: true, number: 2, offset: 6 });
  expect((got[1] as BrokenFrame).reason).toContain(`says ${n} bytes, more than the 64 MiB`);
});
