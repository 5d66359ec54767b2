import { expect, test } from "bun:test";
import { HttpError } from "../../../src/http/http-error.ts";
import { parseDurationNs, parseTimeNs } from "../../../src/http/query-params.ts";

test("durations in any unit, exactly", () => {
  expect(parseDurationNs("250", "d")).toBe(250_000_000n);
  expect(parseDurationNs("1.5s", "d")).toBe(1_500_000_000n);
  expect(parseDurationNs("100us", "d")).toBe(100_000n);
  expect(parseDurationNs("2m", "d")).toBe(120_000_000_000n);
  expect(() => parseDurationNs("soon", "d")).toThrow(HttpError);
});

test("times as ISO or epoch milliseconds", () => {
  expect(parseTimeNs("2024-01-01T00:00:00Z", "t")).toBe(1_704_067_200_000_000_000n);
  expect(parseTimeNs("1704067200000", "t")).toBe(1_704_067_200_000_000_000n);
  expect(() => parseTimeNs("yesterday", "t")).toThrow(HttpError);
});
