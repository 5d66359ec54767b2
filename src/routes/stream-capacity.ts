import { HttpError } from "../http/http-error.ts";
import type { RouteDeps } from "./deps.ts";

/** Refuses a new SSE connection when the server holds its maximum or is stopping (503, Retry-After). */
export function assertStreamCapacity({ hub, config, lifecycle }: Pick<RouteDeps, "hub" | "config" | "lifecycle">): void {
  if (lifecycle.stopping) throw new HttpError(503, "The server is shutting down", "Reconnect in a moment.", { "retry-after": "2" });
  if (hub.size >= config.maxSseConnections) {
    throw new HttpError(503, "Too many live connections", `This server holds at most ${config.maxSseConnections} streams (TRACEPORT_MAX_SSE); try again shortly.`, { "retry-after": "10" });
  }
}
