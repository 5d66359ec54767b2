import { expect, test } from "bun:test";
import { treeOrder } from "../../../src/export/trace-tree.ts";

const s = (spanId: string, parentSpanId: string | null, start: number) => ({ spanId, parentSpanId, startTimeUnixNano: String(start) });

test("depth first, children by start, orphans and self-parented spans are roots", () => {
  const spans = [s("c2", "r", 30), s("c1", "r", 20), s("g", "c1", 25), s("r", null, 10), s("o", "missing", 5), s("self", "self", 40)];
  expect(treeOrder(spans).map((x) => `${x.span.spanId}:${x.depth}`)).toEqual(["o:0", "r:0", "c1:1", "g:2", "c2:1", "self:0"]);
});

test("a parent cycle neither loops nor drops spans", () => {
  const spans = [s("a", "b", 1), s("b", "a", 2), s("root", null, 0)];
  const order = treeOrder(spans).map((x) => x.span.spanId);
  expect(order.sort()).toEqual(["a", "b", "root"]);
});

test("a 20,000-deep chain does not overflow the stack", () => {
  const spans = Array.from({ length: 20_000 }, (_, i) => s(`s${i}`, i === 0 ? null : `s${i - 1}`, i));
  const order = treeOrder(spans);
  expect(order.length).toBe(20_000);
  expect(order.at(-1)!.depth).toBe(19_999);
});
