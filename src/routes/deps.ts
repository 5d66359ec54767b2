import type { Config } from "../config/settings.ts";
import type { AppContext } from "../context.ts";
import type { SseHub } from "../realtime/sse-connection.ts";

/** What every route module receives. */
export interface RouteDeps {
  ctx: AppContext;
  config: Config;
  hub: SseHub;
}
