import { RecordError, type AnyValue, type KeyValue } from "../types.ts";

/** Deepest nesting of arrays and kvlists accepted in an AnyValue; deeper is a RecordError. */
export const MAX_DEPTH = 32;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function intString(v: unknown, path: string): string {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  if (typeof v === "string" && /^-?\d+$/.test(v)) {
    // Leading zeros are rare: strip them only when there are some.
    const digits = v.charCodeAt(0) === 45 ? 1 : 0;
    return v.charCodeAt(digits) === 48 && v.length > digits + 1 ? v.replace(/^(-?)0+(?=\d)/, "$1") : v;
  }
  if (typeof v === "bigint") return v.toString();
  throw new RecordError(`${path}.intValue ${JSON.stringify(v)} is not an integer`);
}

/**
 * One OTLP AnyValue, normalised: intValue becomes a decimal string (exact even
 * above 2^53), doubleValue a number (or the strings "NaN"/"Infinity"/"-Infinity"
 * that protobuf JSON uses), bytesValue stays base64.
 */
export function normaliseAnyValue(v: unknown, path: string, depth = 0): AnyValue {
  if (depth > MAX_DEPTH) throw new RecordError(`${path} is nested more than ${MAX_DEPTH} levels deep`);
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new RecordError(`${path} is not an AnyValue object`);
  if ("stringValue" in v) {
    if (typeof v.stringValue !== "string") throw new RecordError(`${path}.stringValue is not a string`);
    return { stringValue: v.stringValue };
  }
  if ("boolValue" in v) {
    if (typeof v.boolValue !== "boolean") throw new RecordError(`${path}.boolValue is not a boolean`);
    return { boolValue: v.boolValue };
  }
  if ("intValue" in v) return { intValue: intString(v.intValue, path) };
  if ("doubleValue" in v) {
    const d = v.doubleValue;
    if (typeof d === "number") return { doubleValue: d };
    if (d === "NaN" || d === "Infinity" || d === "-Infinity") return { doubleValue: d };
    if (typeof d === "string" && d.trim() !== "" && Number.isFinite(Number(d))) return { doubleValue: Number(d) };
    throw new RecordError(`${path}.doubleValue ${JSON.stringify(d)} is not a number`);
  }
  if ("bytesValue" in v) {
    if (typeof v.bytesValue !== "string") throw new RecordError(`${path}.bytesValue is not a base64 string`);
    return { bytesValue: v.bytesValue };
  }
  if ("arrayValue" in v) {
    const values = isObject(v.arrayValue) ? v.arrayValue.values : undefined;
    if (values !== undefined && !Array.isArray(values)) throw new RecordError(`${path}.arrayValue.values is not an array`);
    return { arrayValue: { values: (values ?? []).map((x, i) => normaliseAnyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1)) } };
  }
  if ("kvlistValue" in v) {
    const values = isObject(v.kvlistValue) ? v.kvlistValue.values : undefined;
    return { kvlistValue: { values: normaliseKeyValues(values, `${path}.kvlistValue.values`, depth + 1) } };
  }
  if (Object.keys(v).length === 0) return {};
  throw new RecordError(`${path} has no known value field (${Object.keys(v).slice(0, 3).join(", ")})`);
}

/** A KeyValue list; a missing list is empty. */
export function normaliseKeyValues(list: unknown, path: string, depth = 0): KeyValue[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new RecordError(`${path} is not an array`);
  return list.map((kv, i) => {
    if (!isObject(kv) || typeof kv.key !== "string") throw new RecordError(`${path}[${i}] has no string key`);
    return { key: kv.key, value: normaliseAnyValue(kv.value, `${path}[${i}].value`, depth) };
  });
}

/** The string value of an attribute, if it has one. */
export function stringAttribute(list: KeyValue[], key: string): string | null {
  for (const kv of list) {
    if (kv.key === key && "stringValue" in kv.value) return kv.value.stringValue;
  }
  return null;
}
