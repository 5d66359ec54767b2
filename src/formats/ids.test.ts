import { describe, expect, test } from "bun:test";
import { normaliseId, normaliseParentId } from "./ids.ts";
import { RecordError } from "./types.ts";

describe("normaliseId", () => {
  test("lower-cases hex of the right length", () => {
    expect(normaliseId("5B8EFFF798038103D269B633813FC60C", 16, "traceId")).toEqual({ hex: "5b8efff798038103d269b633813fc60c" });
    expect(normaliseId("EEE19B7EC3C1B174", 8, "spanId")).toEqual({ hex: "eee19b7ec3c1b174" });
  });

  test("decodes base64 ids", () => {
    expect(normaliseId("aYQql5kRA2zz6CIIbsqgBw==", 16, "traceId").hex).toBe("69842a979911036cf3e822086ecaa007");
    expect(normaliseId("Wmn8F4uo+Dc=", 8, "spanId").hex).toBe("5a69fc178ba8f837");
  });

  test("left-pads short hex with a warning", () => {
    const r = normaliseId("3", 16, "traceId");
    expect(r.hex).toBe("00000000000000000000000000000003");
    expect(r.warning).toContain("left-padded");
    expect(normaliseId("6b221d5bc9e6496c", 16, "traceId").hex).toBe("00000000000000006b221d5bc9e6496c");
  });

  test("keeps a longer id as non-standard", () => {
    const r = normaliseId("VFJBQ0VJRDEtU1BBTjE=", 8, "spanId"); // "TRACEID1-SPAN1", 14 bytes
    expect(r.hex).toBe(Buffer.from("TRACEID1-SPAN1").toString("hex"));
    expect(r.nonStandard).toBe(true);
  });

  test("refuses what is neither hex nor base64, and all-zero ids", () => {
    expect(() => normaliseId("zzz", 16, "traceId")).toThrow(RecordError);
    expect(() => normaliseId("!!!INVALID_BASE64!!!", 16, "traceId")).toThrow(/neither hex nor base64/);
    expect(() => normaliseId("", 8, "spanId")).toThrow(/missing/);
    expect(() => normaliseId(42, 8, "spanId")).toThrow(/not a string/);
    expect(() => normaliseId("00000000000000000000000000000000", 16, "traceId")).toThrow(/all zeros/);
    expect(() => normaliseId("ab".repeat(40), 16, "traceId")).toThrow(/40 bytes long/);
  });
});

test("normaliseParentId treats empty and zero ids as no parent", () => {
  expect(normaliseParentId("", "parentSpanId")).toBeNull();
  expect(normaliseParentId(undefined, "parentSpanId")).toBeNull();
  expect(normaliseParentId("0000000000000000", "parentSpanId")).toBeNull();
  expect(normaliseParentId("ROYdmrMPywY=", "parentSpanId")!.hex).toBe("44e61d9ab30fcb06");
});
