import { describe, expect, test } from "bun:test";
import { normaliseId, normaliseIdBytes, normaliseParentId, normaliseParentIdBytes } from "../../../src/formats/ids.ts";
import { RecordError } from "../../../src/formats/types.ts";

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

describe("normaliseIdBytes (ids given as bytes, as in OTLP protobuf)", () => {
  const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));

  test("the standard lengths become lower-case hex", () => {
    expect(normaliseIdBytes(bytes("5B8EFFF798038103D269B633813FC60C"), 16, "traceId")).toEqual({ hex: "5b8efff798038103d269b633813fc60c" });
    expect(normaliseIdBytes(new Uint8Array([0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74]), 8, "spanId")).toEqual({ hex: "eee19b7ec3c1b174" });
    // A view into a larger buffer: only its own bytes count.
    const big = bytes("ff" + "0102030405060708" + "ff");
    expect(normaliseIdBytes(big.subarray(1, 9), 8, "spanId").hex).toBe("0102030405060708");
  });

  test("shorter is left-padded, longer up to 32 bytes kept as non-standard, longer refused", () => {
    const short = normaliseIdBytes(bytes("6b221d5bc9e6496c"), 16, "traceId");
    expect(short).toEqual({ hex: "00000000000000006b221d5bc9e6496c", warning: "traceId 6b221d5bc9e6496c is shorter than 16 bytes; left-padded with zeros" });
    const long = normaliseIdBytes(new Uint8Array(Buffer.from("TRACEID1-SPAN1")), 8, "spanId");
    expect(long.hex).toBe(Buffer.from("TRACEID1-SPAN1").toString("hex"));
    expect(long.nonStandard).toBe(true);
    expect(long.warning).toBe("spanId is 14 bytes long, not 8; kept as it is");
    expect(normaliseIdBytes(new Uint8Array(32).fill(7), 16, "traceId").hex).toBe("07".repeat(32));
    expect(() => normaliseIdBytes(new Uint8Array(33).fill(7), 16, "traceId")).toThrow("traceId is 33 bytes long; no trace or span id is longer than 32");
  });

  test("empty is missing, all zeros is refused", () => {
    expect(() => normaliseIdBytes(new Uint8Array(0), 8, "spanId")).toThrow(new RecordError("spanId is missing"));
    expect(() => normaliseIdBytes(new Uint8Array(16), 16, "traceId")).toThrow("traceId is all zeros, which is not a valid id");
    expect(() => normaliseIdBytes(new Uint8Array(3), 16, "traceId")).toThrow(/all zeros/);
  });

  test("the same result and messages as normaliseId for the same id written as hex", () => {
    for (const n of [1, 2, 4, 7, 8, 9, 12, 15, 16, 17, 20, 31, 32, 33, 40]) {
      for (const size of [8, 16] as const) {
        const raw = new Uint8Array(n).map((_, i) => (i * 37 + n) % 256 || 1);
        const viaHex = (() => {
          try {
            return normaliseId(Buffer.from(raw).toString("hex"), size, "id");
          } catch (err) {
            return (err as Error).message;
          }
        })();
        const viaBytes = (() => {
          try {
            return normaliseIdBytes(raw, size, "id");
          } catch (err) {
            return (err as Error).message;
          }
        })();
        expect(viaBytes).toEqual(viaHex);
      }
    }
  });

  test("normaliseParentIdBytes: empty and all zeros (of any length) mean no parent", () => {
    expect(normaliseParentIdBytes(new Uint8Array(0), "parentSpanId")).toBeNull();
    expect(normaliseParentIdBytes(new Uint8Array(8), "parentSpanId")).toBeNull();
    expect(normaliseParentIdBytes(new Uint8Array(40), "parentSpanId")).toBeNull();
    expect(normaliseParentIdBytes(bytes("44e61d9ab30fcb06"), "parentSpanId")).toEqual({ hex: "44e61d9ab30fcb06" });
    expect(normaliseParentIdBytes(bytes("0102"), "parentSpanId")!.hex).toBe("0000000000000102");
  });
});
