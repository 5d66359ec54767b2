import { expect, test } from "bun:test";
import { Broker } from "../../../src/realtime/broker.ts";

test("delivers to subscribers of the topic only, and counts them", () => {
  const b = new Broker<number>();
  const a: number[] = [];
  const c: number[] = [];
  const offA = b.subscribe("jobs/1", (m) => a.push(m));
  b.subscribe("jobs/2", (m) => c.push(m));
  b.publish("jobs/1", 5);
  expect(a).toEqual([5]);
  expect(c).toEqual([]);
  expect(b.count()).toBe(2);
  expect(b.count("jobs/1")).toBe(1);
  offA();
  offA(); // idempotent
  expect(b.count()).toBe(1);
  expect(b.count("jobs/1")).toBe(0);
});

test("the same listener subscribed twice is one subscription; unsubscribing is idempotent", () => {
  const b = new Broker<string>();
  const got: string[] = [];
  const fn = (m: string) => got.push(m);
  const off1 = b.subscribe("t", fn);
  const off2 = b.subscribe("t", fn);
  b.publish("t", "x");
  expect(got).toEqual(["x"]);
  off1();
  off2();
  off1();
  expect(b.count("t")).toBe(0);
  expect(b.count()).toBe(0);
});
