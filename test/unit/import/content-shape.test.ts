import { expect, test } from "bun:test";
import { binaryShape, detectShape, SHAPE_PROBE_LIMIT } from "../../../src/import/content-shape.ts";

const enc = new TextEncoder();

/** Runs detection over `text` cut into chunks of `size` bytes, counting how many it reads. */
async function shapeOf(content: Uint8Array, size = 64 * 1024): Promise<{ shape: string; chunksRead: number }> {
  const all: Uint8Array[] = [];
  for (let i = 0; i < content.length; i += size) all.push(content.subarray(i, i + size));
  const chunks = all.slice(0, 1);
  let next = 1;
  const shape = await detectShape(chunks, async () => {
    if (next >= all.length) return null;
    const c = all[next++]!;
    chunks.push(c);
    return c;
  });
  return { shape, chunksRead: next };
}

const line = (spans: number) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: spans }, (_, i) => ({ name: `s${i} }]"{`, spanId: "ab" })) }] }] });

test("JSON Lines with short lines and with lines far longer than 64 KiB", async () => {
  expect((await shapeOf(enc.encode(`${line(2)}\n${line(2)}\n`))).shape).toBe("json-lines");
  const long = line(40_000); // ~1.6 MB a line
  expect(long.length).toBeGreaterThan(1024 * 1024);
  const r = await shapeOf(enc.encode(`${long}\n${long}\n`));
  expect(r.shape).toBe("json-lines");
  // It read past the first line and no further than the start of the second.
  expect(r.chunksRead).toBe(Math.ceil((long.length + 2) / (64 * 1024)));
});

test("one document, pretty-printed or on one line, with or without a trailing newline", async () => {
  expect((await shapeOf(enc.encode(JSON.stringify(JSON.parse(line(3)), null, 2))))).toMatchObject({ shape: "json-document" });
  expect((await shapeOf(enc.encode(`${line(3)}\n`))).shape).toBe("json-document");
  expect((await shapeOf(enc.encode(`  \n${line(3)}`))).shape).toBe("json-document");
  // Two values on one line, or a pretty-printed value then another, are not
  // JSON Lines: the document reader reports the extra data where it is.
  expect((await shapeOf(enc.encode(`${line(1)} ${line(1)}`))).shape).toBe("json-document");
  expect((await shapeOf(enc.encode(`${JSON.stringify(JSON.parse(line(1)), null, 2)}\n{}\n`))).shape).toBe("json-document");
});

test("a first value that runs on past the probe limit is one document, read no further", async () => {
  const size = 1024 * 1024;
  const chunks = [enc.encode('{"resourceSpans":[')];
  let served = 0;
  const shape = await detectShape(chunks, async () => {
    served++;
    const c = new Uint8Array(size).fill(0x20);
    chunks.push(c);
    return c;
  });
  expect(shape).toBe("json-document");
  expect(served * size).toBeGreaterThanOrEqual(SHAPE_PROBE_LIMIT - size);
  expect(served * size).toBeLessThanOrEqual(SHAPE_PROBE_LIMIT + size);
});

test("binary shapes: length-prefixed (protobuf, JSON or zstd messages) and a single protobuf message", () => {
  const prefixed = (n: number, first: number[]) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, ...first]);
  expect(binaryShape(prefixed(300, [0x0a, 0x80]))).toBe("length-prefixed");
  expect(binaryShape(prefixed(42, [0x7b, 0x22]))).toBe("length-prefixed");
  expect(binaryShape(prefixed(99, [0x28, 0xb5, 0x2f, 0xfd]))).toBe("length-prefixed");
  expect(binaryShape(new Uint8Array([0x0a, 0xb4, 0x02, 0x0a]))).toBe("protobuf");
  // A prefix beyond the bound, or a message that starts with something else, is neither.
  expect(binaryShape(prefixed(0x7fffffff, [0x0a]))).toBe("unknown");
  expect(binaryShape(prefixed(10, [0x12]))).toBe("unknown");
  expect(binaryShape(enc.encode("hello world"))).toBe("unknown");
});
