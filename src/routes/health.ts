import { Elysia } from "elysia";
import { schemaStatus } from "../storage/schema-status.ts";
import type { RouteDeps } from "./deps.ts";

/**
 * GET /healthz: the process answers (liveness). GET /readyz: the store is open
 * and migrated and the server is not shutting down (readiness). GET /metrics:
 * Prometheus text.
 */
export function healthRoutes({ ctx, metrics, lifecycle }: RouteDeps) {
  return new Elysia()
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", ({ set }) => {
      if (lifecycle.stopping) {
        set.status = 503;
        return { status: "stopping" };
      }
      const schema = schemaStatus(ctx.store);
      if (!schema.ok) {
        set.status = 503;
        return { status: "not ready", reason: schema.reason };
      }
      return { status: "ready" };
    })
    .get("/metrics", async () => new Response(await metrics.text(), { headers: { "content-type": metrics.contentType } }));
}
