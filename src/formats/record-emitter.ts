import { RecordError, type Location, type NormalisedSpan, type SpanSink, type Warning } from "./types.ts";

/** Formats a path of keys as JSONPath: $.resourceSpans[0].scopeSpans[0].spans[3]. */
export function jsonPath(keys: readonly (string | number)[]): string {
  let out = "$";
  for (const k of keys) out += typeof k === "number" ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
  return out;
}

/**
 * Runs one record's normaliser and reports the outcome to the sink: the span and
 * its warnings, or one error at the record's location. A RecordError is the
 * record's fault; anything else is a bug and propagates. `at` gives the
 * location; it is only called when there is something to report (building a
 * JSON path for every span costs more than some normalisers).
 */
export function emitRecord(sink: Pick<SpanSink, "span" | "issue">, at: () => Location, normalise: (warnings: Warning[]) => NormalisedSpan): void {
  const warnings: Warning[] = [];
  let span: NormalisedSpan;
  try {
    span = normalise(warnings);
  } catch (err) {
    if (err instanceof RecordError) {
      sink.issue({ ...at(), severity: "error", message: err.message });
      return;
    }
    throw err;
  }
  if (warnings.length > 0) {
    const where = at();
    for (const w of warnings) sink.issue({ ...where, severity: "warning", message: w.message, strictError: w.strictError });
  }
  sink.span(span);
}
