import { HttpError } from "../http/http-error.ts";
import type { RouteDeps } from "./deps.ts";

/** Refuses a new SSE connection when the server holds its maximum (503, Retry-After). */
export function assertStreamCapacity({ hub, config }: Pick<RouteDeps, "hub" | "config">): void {
  if (hub.size >= config.maxSseConnections) {
    throw new HttpError(503, "Too many live connections", `This server holds at most ${config.maxSseConnections} streams (TRACEPORT_MAX_SSE); try again shortly.`, { "retry-after": "10" });
  }
}
