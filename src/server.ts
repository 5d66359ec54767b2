/**
 * The HTTP server: Elysia with the API, the SSE stream, the pages and the
 * embedded assets, on top of an AppContext.
 */
import { cors } from "@elysiajs/cors";
import { Elysia } from "elysia";
import type { Config } from "./config/settings.ts";
import { createContext, type AppContext } from "./context.ts";
import { checkAccess, createAuth } from "./auth/access.ts";
import { Connections } from "./http/connections.ts";
import { HttpError, jsonError } from "./http/http-error.ts";
import { SECURITY_HEADERS } from "./http/security-headers.ts";
import { loginRoutes } from "./routes/login.ts";
import { healthRoutes } from "./routes/health.ts";
import { Metrics } from "./observability/metrics.ts";
import { Retention } from "./jobs/retention.ts";
import { platform } from "./runtime/index.ts";
import { SseHub } from "./realtime/sse-connection.ts";
import { importRoutes } from "./routes/api-imports.ts";
import { jobStreamRoutes } from "./routes/api-job-stream.ts";
import { jobRoutes } from "./routes/api-jobs.ts";
import { traceRoutes } from "./routes/api-traces.ts";
import { assetRoutes } from "./routes/assets.ts";
import type { RouteDeps } from "./routes/deps.ts";
import { isHtmx } from "./routes/html.ts";
import { jobPageRoutes } from "./routes/page-jobs.ts";
import { pageStreamRoutes } from "./routes/page-streams.ts";
import { tracePageRoutes } from "./routes/page-traces.ts";
import { ErrorNote, MessagePage } from "../views/message.tsx";
import { toError } from "./util/errors.ts";
import type { Logger } from "./util/logger.ts";

function corsOptions(origins: string[]) {
  return {
    origin: origins.includes("*") ? true : origins,
    methods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowedHeaders: ["Content-Type", "Last-Event-ID", "Authorization"],
    exposeHeaders: ["Location"],
    credentials: false,
    preflight: true,
  };
}

/** The SSE stream routes (API and pages). */
const SSE_PATHS = /^\/api\/jobs\/[^/]+\/stream$|^\/jobs\/[^/]+\/events$|^\/jobs\/events$/;

/** The API and assets answer errors in JSON; the pages answer them in HTML. */
function wantsJson(path: string): boolean {
  return path.startsWith("/api/") || path.startsWith("/assets/");
}

function htmlError(request: Request, status: number, message: string, details: string | null, headers: Record<string, string>): Response {
  const body = isHtmx(request) ? ErrorNote({ message, details }) : MessagePage({ title: message, message: details, status, back: "/jobs" });
  return new Response(body, { status, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}

/** Builds the Elysia app (not listening). */
export function buildApp(deps: RouteDeps) {
  const log = deps.ctx.logger.child({ component: "http" });
  const logRequest = (request: Request, path: string, status: number) => {
    try {
      // The path only: query strings may carry stream tokens.
      log.info("request", { method: request.method, path, status, client: deps.connections.clientAddress(request) });
    } catch {
      // logging must never take a request (or the process) down
    }
  };
  let app = new Elysia()
    .onRequest(({ request, set }) => {
      const path = new URL(request.url).pathname;
      // SSE streams carry their own headers: with none set here, Elysia hands
      // the stream's Response through instead of copying it (one Response and
      // one Headers less per open connection).
      if (!SSE_PATHS.test(path)) Object.assign(set.headers, SECURITY_HEADERS);
      const refused = checkAccess(request, deps.config, deps.auth);
      if (refused) {
        logRequest(request, path, refused.status);
        return refused;
      }
    })
    // Logged when the handler answers (not when the response ends), so an open
    // stream holds no request context for its whole life.
    .onAfterHandle(({ request, path, response, set }) => {
      logRequest(request, path, response instanceof Response ? response.status : typeof set.status === "number" ? set.status : 200);
    })
    .onError(({ error, code, request, path }) => {
      let status: number, message: string, details: string | null, headers: Record<string, string> = {};
      if (error instanceof HttpError) [status, message, details, headers] = [error.status, error.message, error.details, error.headers];
      else if (code === "NOT_FOUND") [status, message, details] = [404, "Not found", "Nothing is served at this path."];
      else if (code === "PARSE" || code === "VALIDATION") [status, message, details] = [400, "Bad request", toError(error).message];
      else {
        const err = toError(error);
        log.error("request failed", { method: request.method, error: err.message, stack: err.stack });
        [status, message, details] = [500, "Internal server error", "The error was logged on the server."];
      }
      logRequest(request, path, status);
      return wantsJson(path) ? jsonError(status, message, details, headers) : htmlError(request, status, message, details, headers);
    });
  if (deps.config.corsOrigins.length) app = app.use(cors(corsOptions(deps.config.corsOrigins)));
  return app
    .use(assetRoutes())
    .use(healthRoutes(deps))
    .use(loginRoutes(deps))
    .use(pageStreamRoutes(deps))
    .use(jobPageRoutes(deps))
    .use(tracePageRoutes(deps))
    .use(importRoutes(deps))
    .use(jobRoutes(deps))
    .use(jobStreamRoutes(deps))
    .use(traceRoutes(deps));
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: AppContext;
  hub: SseHub;
  retention: Retention;
  /** Stops accepting, tells SSE clients to reconnect, requeues running jobs, closes the store. */
  stop(): Promise<void>;
}

/** Opens the store, starts the runner and listens. */
export interface StartOptions {
  /** The idle timeout for ordinary requests, in seconds (default 60; Deno.serve has none). */
  idleTimeoutSeconds?: number;
  /** False leaves queued jobs queued (an instance that only serves reads; tests). */
  runJobs?: boolean;
}

export function startServer(config: Config, logger: Logger, opts: StartOptions = {}): RunningServer {
  const ctx = createContext({ dataDir: config.dataDir, workers: config.workers, logger });
  const hub = new SseHub(config.heartbeatSeconds * 1000);
  const metrics = new Metrics(ctx, hub);
  const retention = new Retention(ctx, { retainDays: config.retainDays, keepUploads: config.keepUploads });
  const lifecycle = { stopping: false };
  const connections = new Connections();
  const app = buildApp({ ctx, config, hub, auth: createAuth(config.token), metrics, lifecycle, connections });
  const server = platform.serve({
    port: config.port,
    hostname: config.host,
    // SSE streams opt out of this per request (connections.keepOpen).
    idleTimeoutSeconds: opts.idleTimeoutSeconds ?? 60,
    fetch: (request) => app.fetch(request),
  });
  connections.attach(server);
  if (opts.runJobs !== false) ctx.runner.start();
  retention.start();
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  const url = `http://${host}:${server.port}`;
  let stopping: Promise<void> | null = null;
  return {
    url,
    port: server.port,
    ctx,
    hub,
    retention,
    stop() {
      stopping ??= (async () => {
        lifecycle.stopping = true;
        // `retry:` sets how soon clients come back (to this instance after a
        // restart, or another one); the comment says why.
        hub.closeAll(new TextEncoder().encode("retry: 1000\n: server shutting down; reconnect\n\n"));
        // Running imports go back to the queue while in-flight requests finish.
        const requeued = ctx.runner.stop();
        await server.stop(false);
        await requeued;
        metrics.close();
        retention.stop();
        await ctx.close();
      })();
      return stopping;
    },
  };
}
