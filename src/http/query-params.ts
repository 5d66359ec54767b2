import { HttpError } from "./http-error.ts";

const DURATION_UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** "250ms", "1.5s", "100us", "2m", or a bare number of milliseconds → nanoseconds. */
export function parseDurationNs(raw: string, name: string): bigint {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$/.exec(raw);
  if (!m) throw new HttpError(400, `${name} must be a duration like 250ms, 1.5s or 2m`, `got "${raw}"`);
  const unit = DURATION_UNITS[m[2] ?? "ms"]!;
  const [whole, frac = ""] = m[1]!.split(".");
  // Exact decimal arithmetic: 1.5s is 1500000000 ns, not a float's approximation.
  const scale = 10n ** BigInt(frac.length);
  return (BigInt(whole!) * scale + BigInt(frac || "0")) * unit / scale;
}

/** An ISO 8601 date-time, or a number of milliseconds since the epoch → nanoseconds. */
export function parseTimeNs(raw: string, name: string): bigint {
  if (/^\d+$/.test(raw.trim())) return BigInt(raw.trim()) * 1_000_000n;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new HttpError(400, `${name} must be an ISO 8601 time or milliseconds since the epoch`, `got "${raw}"`);
  return BigInt(ms) * 1_000_000n;
}

export function parseLimit(raw: string | undefined, def: number, max: number): number {
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, `limit must be a whole number from 1 to ${max}`);
  return n;
}

export function parseBool(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1" || raw === "on") return true;
  throw new HttpError(400, `${name} must be true or false`, `got "${raw}"`);
}

/** Nanoseconds (exact, as text) to an ISO time with millisecond precision. */
export function nsToIso(ns: string | null): string | null {
  if (ns === null) return null;
  return new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();
}
