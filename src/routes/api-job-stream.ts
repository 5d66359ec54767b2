import { Elysia } from "elysia";
import { HttpError } from "../http/http-error.ts";
import { openJobStream } from "../realtime/job-stream.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import type { RouteDeps } from "./deps.ts";
import { assertStreamCapacity } from "./stream-capacity.ts";
import { notFound } from "./api-jobs.ts";

/** A Last-Event-ID as the log's integer id; anything else counts as absent. */
export function parseLastEventId(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/**
 * GET /api/jobs/:id/stream: the job's events as Server-Sent Events.
 * POST /api/jobs/:id/stream-token: a token for that stream, for an EventSource
 * on another origin (it cannot send an Authorization header).
 */
export function jobStreamRoutes(deps: RouteDeps) {
  const { ctx, hub, auth } = deps;
  return new Elysia()
    .post("/api/jobs/:id/stream-token", ({ params }) => {
      if (!getJob(ctx.store, params.id)) throw notFound(params.id);
      if (!auth) throw new HttpError(409, "Authentication is off", "Without TRACEPORT_TOKEN the stream needs no token.");
      const { token, expiresAt } = auth.streamTokens.mint(params.id);
      return { token, expiresAt, url: `/api/jobs/${encodeURIComponent(params.id)}/stream?token=${encodeURIComponent(token)}` };
    })
    .get("/api/jobs/:id/stream", ({ params, request, query }) => {
      if (!getJob(ctx.store, params.id)) throw notFound(params.id);
      assertStreamCapacity(deps);
      // The idle timeout for ordinary requests would close a quiet stream.
      deps.connections.keepOpen(request);
      const lastEventId = parseLastEventId(request.headers.get("last-event-id") ?? (query.lastEventId as string | undefined));
      return openJobStream({ store: ctx.store, broker: ctx.broker, hub, retryMs: 3000 }, params.id, lastEventId, request.signal);
    });
}
