import { Elysia } from "elysia";
import { treeOrder } from "../export/trace-tree.ts";
import { HttpError } from "../http/http-error.ts";
import { nsToIso } from "../http/query-params.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import { getSpan } from "../storage/traces/get-span.ts";
import { getTraceSpans } from "../storage/traces/get-trace-spans.ts";
import { listServices } from "../storage/traces/list-services.ts";
import { listTraces } from "../storage/traces/list-traces.ts";
import { MessagePage, ErrorNote } from "../../views/message.tsx";
import { SpanDetail, SpanPage, TracePage } from "../../views/trace-page.tsx";
import { TracesPage, type TraceRowData } from "../../views/traces-page.tsx";
import { encodeCursor, traceFilter } from "./api-traces.ts";
import type { RouteDeps } from "./deps.ts";
import { html, isHtmx } from "./html.ts";

const FILTER_KEYS = ["service", "name", "from", "to", "minDuration", "errors", "job"];

/** GET /traces (list with filters), /traces/:id (waterfall), /traces/:id/spans/:spanId (fragment or page). */
export function tracePageRoutes({ ctx }: RouteDeps) {
  return new Elysia()
    .get("/traces", ({ query }) => {
      const q: Record<string, string> = {};
      for (const k of [...FILTER_KEYS, "cursor"]) {
        const v = query[k];
        if (typeof v === "string" && v !== "") q[k] = v;
      }
      const services = listServices(ctx.store);
      const jobRow = q.job ? getJob(ctx.store, q.job) : undefined;
      const jobName = q.job ? (jobRow?.inputName ?? q.job) : null;
      const form = Object.fromEntries(Object.entries(q).filter(([k]) => k !== "cursor"));
      let traces: TraceRowData[] = [];
      let nextCursor: string | null = null;
      let error: string | null = null;
      let status = 200;
      try {
        // The form's datetime-local fields carry no zone; the pages show UTC, so they mean UTC.
        const asUtc = (v: string | undefined) => (v && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v) ? `${v}Z` : v);
        const filter = traceFilter({ ...q, from: asUtc(q.from), to: asUtc(q.to), limit: "50" });
        const rows = listTraces(ctx.store, { ...filter, limit: filter.limit + 1 });
        const page = rows.slice(0, filter.limit);
        traces = page.map((t) => ({
          traceId: t.traceId,
          rootService: t.rootService,
          rootName: t.rootName,
          start: nsToIso(t.startNs),
          durationMs: t.endNs === null ? null : Number(BigInt(t.endNs) - BigInt(t.startNs)) / 1e6,
          spanCount: t.spanCount,
          errorCount: t.errorCount,
          services: t.services,
        }));
        nextCursor = rows.length > filter.limit ? encodeCursor(page.at(-1)!) : null;
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        error = err.details ? `${err.message} (${err.details})` : err.message;
        status = 400;
      }
      return html(TracesPage({ traces, services, query: form, nextCursor, jobName, error }), status);
    })
    .get("/traces/:traceId", ({ params }) => {
      const traceId = params.traceId.toLowerCase();
      const spans = getTraceSpans(ctx.store, traceId);
      if (spans.length === 0) {
        return html(MessagePage({ title: "Trace not found", message: `No span of trace "${params.traceId}" is stored.`, status: 404, back: "/traces" }), 404);
      }
      return html(TracePage({ traceId, spans: treeOrder(spans) }));
    })
    .get("/traces/:traceId/spans/:spanId", ({ params, request }) => {
      const traceId = params.traceId.toLowerCase();
      const span = getSpan(ctx.store, traceId, params.spanId.toLowerCase());
      if (!span) {
        const message = `Trace "${params.traceId}" has no span "${params.spanId}".`;
        return isHtmx(request)
          ? html(ErrorNote({ message: "Span not found", details: message }), 404)
          : html(MessagePage({ title: "Span not found", message, status: 404, back: `/traces/${traceId}` }), 404);
      }
      return html(isHtmx(request) ? SpanDetail({ span }) : SpanPage({ traceId, span }));
    });
}
