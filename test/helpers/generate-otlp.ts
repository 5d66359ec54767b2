/**
 * Writes a synthetic OTLP JSON Lines file, deterministic for a given size: each
 * line is one ExportTraceServiceRequest holding one trace of `spansPerTrace`
 * spans (a root and its children). Used to make imports long enough to watch,
 * cancel or interrupt.
 */
export async function writeOtlpJsonLines(path: string, opts: { spans: number; spansPerTrace?: number; service?: string; idBase?: number }): Promise<{ spans: number; traces: number; bytes: number }> {
  const per = opts.spansPerTrace ?? 10;
  const traces = Math.ceil(opts.spans / per);
  const base = opts.idBase ?? 1;
  const writer = Bun.file(path).writer();
  let bytes = 0;
  let written = 0;
  for (let t = 0; t < traces; t++) {
    const traceId = (base + t).toString(16).padStart(32, "0");
    const spans = [];
    const start = 1_700_000_000_000_000_000n + BigInt(t) * 1_000_000_000n;
    for (let s = 0; s < per && written < opts.spans; s++, written++) {
      spans.push({
        traceId,
        spanId: (s + 1).toString(16).padStart(16, "0"),
        parentSpanId: s === 0 ? "" : "0000000000000001",
        name: s === 0 ? "GET /checkout" : `step-${s}`,
        kind: s === 0 ? 2 : 1,
        startTimeUnixNano: String(start + BigInt(s) * 1_000_000n),
        endTimeUnixNano: String(start + BigInt(s) * 1_000_000n + 500_000n),
        attributes: [
          { key: "http.method", value: { stringValue: "GET" } },
          { key: "step", value: { intValue: String(s) } },
          { key: "padding", value: { stringValue: "x".repeat(200) } },
        ],
        status: { code: s === 3 ? 2 : 0 },
      });
    }
    const line = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: opts.service ?? "generated" } }] },
          scopeSpans: [{ scope: { name: "generator" }, spans }],
        },
      ],
    }) + "\n";
    bytes += Buffer.byteLength(line);
    writer.write(line);
    if (t % 1000 === 0) await writer.flush();
  }
  await writer.end();
  return { spans: written, traces, bytes };
}
