/** OTLP SpanKind numbers, from the names OpenTracing tags and Zipkin use. */
export const KIND_BY_NAME: Record<string, number> = {
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};

/** OTLP status code from an `otel.status_code` tag value. */
export function statusFromOtelTag(value: string): number | null {
  const v = value.toUpperCase();
  if (v === "ERROR") return 2;
  if (v === "OK") return 1;
  if (v === "UNSET") return 0;
  return null;
}

/** Microseconds (Jaeger, Zipkin) to nanoseconds, exactly. */
export function microsToNanos(v: unknown, what: string, fail: (msg: string) => never): bigint | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v)) * 1000n;
  if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v) * 1000n;
  return fail(`${what} ${JSON.stringify(v)} is not a number of microseconds`);
}
