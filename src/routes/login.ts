import { setTimeout as delay } from "node:timers/promises";
import { Elysia } from "elysia";
import { isSecure } from "../auth/access.ts";
import { sameSecret } from "../auth/signing.ts";
import { LoginPage, LogoutPage } from "../../views/login-page.tsx";
import type { RouteDeps } from "./deps.ts";
import { html, seeOther } from "./html.ts";

/** Only a path on this server: never `//host` or a full URL (an open redirect). */
function safeNext(raw: unknown): string {
  const s = typeof raw === "string" ? raw : "";
  return s.startsWith("/") && !s.startsWith("//") && !s.startsWith("/\\") ? s : "/jobs";
}

/** GET/POST /login and GET/POST /logout: the browser session (only when a token is configured). */
export function loginRoutes({ config, auth }: RouteDeps) {
  return new Elysia()
    .get("/login", ({ query }) => {
      if (!auth) return seeOther("/jobs");
      return html(LoginPage({ next: safeNext(query.next) }));
    })
    .post("/login", async ({ body, request }) => {
      if (!auth) return seeOther("/jobs");
      const form = (body ?? {}) as Record<string, unknown>;
      const next = safeNext(form.next);
      const given = typeof form.token === "string" ? form.token : "";
      if (!sameSecret(given, auth.token)) {
        // Slow down guessing; the token is long enough that this is a courtesy, not the defence.
        await delay(300);
        return html(LoginPage({ next, error: "That is not the token this server was started with." }), 401);
      }
      return new Response(null, { status: 303, headers: { location: next, "set-cookie": auth.sessions.issue(isSecure(request, config.trustProxy)) } });
    })
    .get("/logout", () => html(LogoutPage()))
    .post("/logout", ({ request }) => {
      const headers: Record<string, string> = { location: auth ? "/login" : "/jobs" };
      if (auth) headers["set-cookie"] = auth.sessions.clear(isSecure(request, config.trustProxy));
      return new Response(null, { status: 303, headers });
    });
}
