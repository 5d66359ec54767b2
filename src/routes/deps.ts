import type { Auth } from "../auth/access.ts";
import type { Config } from "../config/settings.ts";
import type { AppContext } from "../context.ts";
import type { Connections } from "../http/connections.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { SseHub } from "../realtime/sse-connection.ts";

/** What every route module receives. */
export interface RouteDeps {
  ctx: AppContext;
  config: Config;
  hub: SseHub;
  /** Null when no token is configured (authentication off). */
  auth: Auth | null;
  metrics: Metrics;
  /** Set once shutdown begins: no new work is accepted. */
  lifecycle: { stopping: boolean };
  /** Per-connection controls of the listening server. */
  connections: Connections;
}
