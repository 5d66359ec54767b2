import type { Config } from "../config/settings.ts";
import { jsonError } from "../http/http-error.ts";
import { SessionCookies } from "./session-cookie.ts";
import { sameSecret } from "./signing.ts";
import { StreamTokens } from "./stream-tokens.ts";

export interface Auth {
  token: string;
  sessions: SessionCookies;
  streamTokens: StreamTokens;
}

export function createAuth(token: string | null): Auth | null {
  return token ? { token, sessions: new SessionCookies(token), streamTokens: new StreamTokens(token) } : null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const PUBLIC = [/^\/healthz$/, /^\/readyz$/, /^\/assets\//, /^\/favicon\.ico$/, /^\/login$/];
const JOB_STREAM = /^\/api\/jobs\/([^/]+)\/stream$/;

/** The host this request was sent to, as the browser saw it. */
function requestHost(request: Request, trustProxy: boolean): string | null {
  return (trustProxy ? request.headers.get("x-forwarded-host") : null) ?? request.headers.get("host");
}

/** Whether the request came over TLS (directly, or through a proxy we trust). */
export function isSecure(request: Request, trustProxy: boolean): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  return trustProxy && (request.headers.get("x-forwarded-proto") ?? "").split(",")[0]!.trim() === "https";
}

function bearer(request: Request): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return m ? m[1]! : null;
}

/**
 * Cross-site request forgery: a state-changing request that a browser sent
 * from another site is refused. Browsers send Origin with every POST; when it
 * is missing (older browsers), Sec-Fetch-Site decides. Scripts (curl, the CLI)
 * send neither and are judged by authentication alone.
 */
function crossSite(request: Request, path: string, config: Config): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const origin = request.headers.get("origin");
  if (origin !== null) {
    let host: string | null = null;
    try {
      host = origin === "null" ? null : new URL(origin).host;
    } catch {
      host = null;
    }
    if (host !== null && host === requestHost(request, config.trustProxy)) return null;
    // The API may be called from the origins CORS allows.
    if (path.startsWith("/api/") && (config.corsOrigins.includes("*") || config.corsOrigins.includes(origin))) return null;
    return `requests from ${origin} are not allowed`;
  }
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return `a ${site} request is not allowed`;
  return null;
}

/**
 * Decides whether a request may go on; a Response refuses it. Without a
 * configured token only the CSRF check applies. With one: the API needs
 * `Authorization: Bearer <token>` (a job's stream also takes a stream token
 * as `?token=`), pages and their streams need the session cookie (or the
 * Bearer token), and /healthz, /readyz, /login and the assets are open.
 */
export function checkAccess(request: Request, config: Config, auth: Auth | null): Response | null {
  const url = new URL(request.url);
  const path = url.pathname;
  const forged = crossSite(request, path, config);
  if (forged) return jsonOrText(path, 403, "Cross-site request refused", `${forged}: send it from traceport's own pages.`);
  // CORS preflights never carry credentials; the request that follows does.
  if (!auth || request.method === "OPTIONS" || PUBLIC.some((re) => re.test(path))) return null;

  const given = bearer(request);
  if (given !== null && sameSecret(given, auth.token)) return null;
  if (path.startsWith("/api/")) {
    const stream = JOB_STREAM.exec(path);
    const streamToken = url.searchParams.get("token");
    if (stream && streamToken && request.method === "GET" && auth.streamTokens.allows(streamToken, decodeURIComponent(stream[1]!))) return null;
    return jsonError(401, "Authentication required", "Send the API token as `Authorization: Bearer <token>`.", { "www-authenticate": 'Bearer realm="traceport"' });
  }
  if (auth.sessions.valid(request.headers.get("cookie"))) return null;
  if (path === "/metrics") return new Response("authentication required\n", { status: 401, headers: { "www-authenticate": 'Bearer realm="traceport"' } });
  const login = `/login?${new URLSearchParams({ next: path + url.search })}`;
  if (request.headers.get("hx-request") === "true") {
    // htmx follows HX-Redirect with a full page load.
    return new Response(null, { status: 401, headers: { "hx-redirect": login } });
  }
  if (request.method === "GET" && !(request.headers.get("accept") ?? "").includes("text/event-stream")) {
    return new Response(null, { status: 303, headers: { location: login } });
  }
  return new Response("authentication required: log in at /login\n", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function jsonOrText(path: string, status: number, message: string, details: string): Response {
  if (path.startsWith("/api/")) return jsonError(status, message, details);
  return new Response(`${message}: ${details}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
