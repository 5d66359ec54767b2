import { expect, test } from "bun:test";
import { RecordError } from "../../../../src/formats/types.ts";
import { normaliseAnyValue, normaliseKeyValues } from "../../../../src/formats/otlp/any-value.ts";

test("every AnyValue kind, normalised", () => {
  expect(normaliseAnyValue({ stringValue: "s" }, "v")).toEqual({ stringValue: "s" });
  expect(normaliseAnyValue({ boolValue: false }, "v")).toEqual({ boolValue: false });
  expect(normaliseAnyValue({ intValue: 7 }, "v")).toEqual({ intValue: "7" });
  expect(normaliseAnyValue({ intValue: "-0042" }, "v")).toEqual({ intValue: "-42" });
  for (const [given, kept] of <[string, string][]>[["0042", "42"], ["00", "0"], ["0", "0"], ["-0", "-0"], ["42", "42"], ["-42", "-42"], ["100", "100"]]) {
    expect(normaliseAnyValue({ intValue: given }, "v")).toEqual({ intValue: kept });
  }
  expect(normaliseAnyValue({ intValue: "9223372036854775807" }, "v")).toEqual({ intValue: "9223372036854775807" });
  expect(normaliseAnyValue({ doubleValue: 1.5 }, "v")).toEqual({ doubleValue: 1.5 });
  expect(normaliseAnyValue({ doubleValue: "NaN" }, "v")).toEqual({ doubleValue: "NaN" });
  expect(normaliseAnyValue({ bytesValue: "AQID" }, "v")).toEqual({ bytesValue: "AQID" });
  expect(normaliseAnyValue({ arrayValue: { values: [{ intValue: 1 }, { stringValue: "a" }] } }, "v")).toEqual({
    arrayValue: { values: [{ intValue: "1" }, { stringValue: "a" }] },
  });
  expect(normaliseAnyValue({ kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] } }, "v")).toEqual({
    kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] },
  });
  expect(normaliseAnyValue({}, "v")).toEqual({});
  expect(normaliseAnyValue(undefined, "v")).toEqual({});
});

test("malformed values are record errors with their path", () => {
  expect(() => normaliseAnyValue({ intValue: "1.5" }, "attributes[0].value")).toThrow(/attributes\[0\]\.value\.intValue/);
  expect(() => normaliseAnyValue({ boolValue: "yes" }, "v")).toThrow(RecordError);
  expect(() => normaliseAnyValue({ mystery: 1 }, "v")).toThrow(/no known value field/);
  expect(() => normaliseKeyValues([{ value: {} }], "attributes")).toThrow(/attributes\[0\] has no string key/);
  let deep: unknown = { stringValue: "x" };
  for (let i = 0; i < 40; i++) deep = { arrayValue: { values: [deep] } };
  expect(() => normaliseAnyValue(deep, "v")).toThrow(/nested more than/);
});
