import { emitRecord, jsonPath } from "../record-emitter.ts";
import { RecordError, type Location, type SpanSink } from "../types.ts";
import { normaliseOtlpSpan, resourceContext, schemaUrlOf, scopeOf, type SpanContext } from "./otlp-span.ts";

type Out = Pick<SpanSink, "span" | "issue">;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The list of ResourceSpans in one parsed request, with its key path:
 * `resourceSpans` (OTLP), `batches` (Tempo), `result.resourceSpans` (Jaeger
 * api_v3), `trace.resourceSpans` (Tempo v2). Null when there is none.
 */
export function resourceSpansOf(req: unknown): { list: unknown[]; keys: string[] } | null {
  if (!isObject(req)) return null;
  if (Array.isArray(req.resourceSpans)) return { list: req.resourceSpans, keys: ["resourceSpans"] };
  if (Array.isArray(req.batches)) return { list: req.batches, keys: ["batches"] };
  for (const wrapper of ["result", "trace"]) {
    const inner = req[wrapper];
    if (isObject(inner) && Array.isArray(inner.resourceSpans)) return { list: inner.resourceSpans, keys: [wrapper, "resourceSpans"] };
  }
  return null;
}

/**
 * Emits every span of one parsed ExportTraceServiceRequest (a JSON Lines line,
 * a message of a length-prefixed stream, or one element of an array of
 * requests). `prefix` is the request's own path; `where` says where the
 * request is (its line, or its message number and offset).
 */
export function emitOtlpRequest(req: unknown, prefix: (string | number)[], where: Omit<Location, "path">, out: Out): void {
  const found = resourceSpansOf(req);
  const at = (keys: (string | number)[]): Location => ({ ...where, path: jsonPath(keys) });
  if (!found) {
    out.issue({ ...at(prefix), severity: "error", message: "not an OTLP trace request: it has no resourceSpans" });
    return;
  }
  found.list.forEach((rs, ri) => {
    const rsKeys = [...prefix, ...found.keys, ri];
    if (!isObject(rs)) {
      out.issue({ ...at(rsKeys), severity: "error", message: "resourceSpans entry is not an object" });
      return;
    }
    let resource: Omit<SpanContext, "scope">;
    try {
      resource = resourceContext(rs.resource);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      out.issue({ ...at([...rsKeys, "resource"]), severity: "error", message: err.message });
      return;
    }
    const [blocksKey, scopeKey] = Array.isArray(rs.scopeSpans) ? ["scopeSpans", "scope"] : ["instrumentationLibrarySpans", "instrumentationLibrary"];
    const blocks = rs[blocksKey];
    if (blocks === undefined) return;
    if (!Array.isArray(blocks)) {
      out.issue({ ...at([...rsKeys, blocksKey]), severity: "error", message: `${blocksKey} is not an array` });
      return;
    }
    blocks.forEach((ss, si) => {
      const ssKeys = [...rsKeys, blocksKey, si];
      if (!isObject(ss)) {
        out.issue({ ...at(ssKeys), severity: "error", message: `${blocksKey} entry is not an object` });
        return;
      }
      let ctx: SpanContext;
      try {
        ctx = { ...resource, scope: scopeOf(ss[scopeKey]), resourceSchemaUrl: schemaUrlOf(rs.schemaUrl), scopeSchemaUrl: schemaUrlOf(ss.schemaUrl) };
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        out.issue({ ...at([...ssKeys, scopeKey]), severity: "error", message: err.message });
        return;
      }
      const spans = ss.spans ?? [];
      if (!Array.isArray(spans)) {
        out.issue({ ...at([...ssKeys, "spans"]), severity: "error", message: "spans is not an array" });
        return;
      }
      spans.forEach((raw, i) => emitRecord(out, () => at([...ssKeys, "spans", i]), (w) => normaliseOtlpSpan(raw, ctx, w)));
    });
  });
}
