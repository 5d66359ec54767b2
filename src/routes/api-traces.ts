import { Elysia } from "elysia";
import { toOtlpRequest } from "../export/otlp-export.ts";
import { treeOrder } from "../export/trace-tree.ts";
import { HttpError } from "../http/http-error.ts";
import { nsToIso, parseBool, parseDurationNs, parseLimit, parseTimeNs } from "../http/query-params.ts";
import { getTraceSpans } from "../storage/traces/get-trace-spans.ts";
import { listServices } from "../storage/traces/list-services.ts";
import { listTraces, type TraceFilter, type TraceSummary } from "../storage/traces/list-traces.ts";
import type { RouteDeps } from "./deps.ts";

export function encodeCursor(t: TraceSummary): string {
  return Buffer.from(`${t.startNs}:${t.traceId}`).toString("base64url");
}

function decodeCursor(raw: string): TraceFilter["after"] {
  const m = /^(\d+):([0-9a-f]+)$/.exec(Buffer.from(raw, "base64url").toString());
  if (!m) throw new HttpError(400, "Invalid cursor", "Pass the nextCursor of the previous page unchanged.");
  return { startNs: BigInt(m[1]!), traceId: m[2]! };
}

function durationMs(startNs: string | null, endNs: string | null): number | null {
  if (startNs === null || endNs === null) return null;
  return Number(BigInt(endNs) - BigInt(startNs)) / 1e6;
}

/** Query options of GET /api/traces, parsed and checked. */
export function traceFilter(q: Record<string, string | undefined>): TraceFilter {
  const f: TraceFilter = { limit: parseLimit(q.limit, 50, 500) };
  if (q.service) f.service = q.service;
  if (q.name) f.name = q.name;
  if (q.from) f.fromNs = parseTimeNs(q.from, "from");
  if (q.to) f.toNs = parseTimeNs(q.to, "to");
  if (q.minDuration) f.minDurationNs = parseDurationNs(q.minDuration, "minDuration");
  f.errorsOnly = parseBool(q.errors, "errors");
  if (q.job) f.jobId = q.job;
  if (q.cursor) f.after = decodeCursor(q.cursor);
  return f;
}

/** GET /api/traces, GET /api/traces/:traceId (?format=otlp), GET /api/services. */
export function traceRoutes({ ctx }: RouteDeps) {
  return new Elysia()
    .get("/api/services", () => ({ services: listServices(ctx.store) }))
    .get("/api/traces", ({ query }) => {
      const filter = traceFilter(query as Record<string, string | undefined>);
      const rows = listTraces(ctx.store, { ...filter, limit: filter.limit + 1 });
      const page = rows.slice(0, filter.limit);
      return {
        traces: page.map((t) => ({
          traceId: t.traceId,
          rootService: t.rootService,
          rootName: t.rootName,
          start: nsToIso(t.startNs),
          startTimeUnixNano: t.startNs,
          durationMs: durationMs(t.startNs, t.endNs),
          spanCount: t.spanCount,
          errorCount: t.errorCount,
          services: t.services,
        })),
        nextCursor: rows.length > filter.limit ? encodeCursor(page.at(-1)!) : null,
      };
    })
    .get("/api/traces/:traceId", ({ params, query, set }) => {
      const traceId = params.traceId.toLowerCase();
      const spans = getTraceSpans(ctx.store, traceId);
      if (spans.length === 0) throw new HttpError(404, "Trace not found", `No span of trace "${params.traceId}" is stored.`);
      const format = (query.format as string | undefined) ?? "json";
      if (format === "otlp") {
        set.headers["content-disposition"] = `inline; filename="trace-${traceId}.otlp.json"`;
        return toOtlpRequest(treeOrder(spans).map((x) => x.span));
      }
      if (format !== "json") throw new HttpError(400, `Unknown format "${format}"`, "Use format=otlp, or leave it out for traceport's JSON.");
      return {
        traceId,
        spanCount: spans.length,
        spans: treeOrder(spans).map(({ span, depth }) => ({
          ...span,
          depth,
          durationMs: durationMs(span.startTimeUnixNano, span.endTimeUnixNano),
        })),
      };
    });
}
