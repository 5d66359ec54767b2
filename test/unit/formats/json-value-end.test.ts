import { expect, test } from "bun:test";
import { JsonValueEnd } from "../../../src/formats/json-value-end.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("finds the end of an object, skipping brackets and escaped quotes inside strings", () => {
  const text = '{"a":"}]\\"{[","b":[1,{"c":"\\\\"}]}  {"next":1}';
  expect(new JsonValueEnd().feed(bytes(text))).toBe(text.indexOf("}  {") + 1);
});

test("across chunks, whatever the split, even inside an escape", () => {
  const text = '[{"k":"a\\"b"},{"k":"}"}]\n{}';
  const end = text.indexOf("]") + 1;
  for (let split = 1; split < end; split++) {
    const v = new JsonValueEnd();
    expect(v.feed(bytes(text.slice(0, split)))).toBe(-1);
    expect(v.feed(bytes(text.slice(split)))).toBe(end - split);
  }
});

test("a value that does not end within what was fed", () => {
  expect(new JsonValueEnd().feed(bytes('{"a":[1,2'))).toBe(-1);
});
