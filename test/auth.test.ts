/** Authentication, CSRF and security headers against the real server. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SessionCookies } from "../src/auth/session-cookie.ts";
import { StreamTokens, STREAM_TOKEN_TTL_MS } from "../src/auth/stream-tokens.ts";
import { resolveConfig } from "../src/config/settings.ts";
import { startServer, type RunningServer } from "../src/server.ts";
import { createLogger } from "../src/util/logger.ts";
import { fixturePath } from "./helpers/fixtures.ts";

const TOKEN = "s3cret-token-for-tests-0123456789";
let server: RunningServer;
let dataDir: string;
const logLines: string[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "traceport-auth-"));
  const config = { ...resolveConfig({}, {}), port: 0, dataDir, token: TOKEN, corsOrigins: ["http://front.test"] };
  server = startServer(config, createLogger({ format: "json", level: "debug", write: (l) => logLines.push(l) }));
});
afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function importFixture(): Promise<string> {
  const form = new FormData();
  form.append("file", Bun.file(fixturePath("otlp/jaeger-ui-multi-line.jsonl")), "multi.jsonl");
  const res = await fetch(`${server.url}/api/imports`, { method: "POST", body: form, headers: auth });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Waits (at most 10 s) until the job has ended: only an ended job can be deleted. */
async function ended(id: string): Promise<void> {
  const until = performance.now() + 10_000;
  while (performance.now() < until) {
    const job = (await (await fetch(`${server.url}/api/jobs/${id}`, { headers: auth })).json()) as { status: string };
    if (!["queued", "running"].includes(job.status)) return;
    await Bun.sleep(20);
  }
  throw new Error(`job ${id} did not end within 10 s`);
}

async function login(headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ token: TOKEN, next: "/traces?service=x" }),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    redirect: "manual",
  });
}

function sessionOf(res: Response): string {
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

describe("API", () => {
  test("refused without the Bearer token (401 JSON), or with a wrong one; allowed with it", async () => {
    const none = await fetch(`${server.url}/api/jobs`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="traceport"');
    expect(await none.json()).toEqual({ error: "Authentication required", details: "Send the API token as `Authorization: Bearer <token>`." });
    expect((await fetch(`${server.url}/api/jobs`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/jobs`, { headers: auth })).status).toBe(200);
    // The session cookie is for pages, not for the API.
    const cookie = sessionOf(await login());
    expect((await fetch(`${server.url}/api/jobs`, { headers: { cookie } })).status).toBe(401);
  });

  test("a CORS preflight needs no credentials", async () => {
    const res = await fetch(`${server.url}/api/imports`, {
      method: "OPTIONS",
      headers: { origin: "http://front.test", "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://front.test");
  });
});

describe("stream tokens", () => {
  test("minted per job, accepted as ?token= on that job's stream only, and never logged", async () => {
    const id = await importFixture();
    const other = await importFixture();
    expect((await fetch(`${server.url}/api/jobs/${id}/stream-token`, { method: "POST" })).status).toBe(401);
    const minted = (await (await fetch(`${server.url}/api/jobs/${id}/stream-token`, { method: "POST", headers: auth })).json()) as { token: string; url: string; expiresAt: string };
    expect(Date.parse(minted.expiresAt) - Date.now()).toBeLessThanOrEqual(STREAM_TOKEN_TTL_MS);
    const ok = await fetch(`${server.url}${minted.url}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toStartWith("text/event-stream");
    expect(await ok.text()).toContain("event: completed");
    // Not for another job's stream, not for any other endpoint, not without it.
    expect((await fetch(`${server.url}/api/jobs/${other}/stream?token=${encodeURIComponent(minted.token)}`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/jobs/${id}?token=${encodeURIComponent(minted.token)}`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/jobs/${id}/stream`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/jobs/${id}/stream?token=forged.token`)).status).toBe(401);
    await Bun.sleep(50);
    const logs = logLines.join("\n");
    expect(logs).toContain(`/api/jobs/${id}/stream`);
    expect(logs).not.toContain(minted.token);
    expect(logs).not.toContain(TOKEN);
  });

  test("a stream token expires 60 s after it was minted", () => {
    const tokens = new StreamTokens(TOKEN);
    const { token } = tokens.mint("job-1", 1_000_000);
    expect(tokens.allows(token, "job-1", 1_000_000 + STREAM_TOKEN_TTL_MS - 1)).toBe(true);
    expect(tokens.allows(token, "job-1", 1_000_000 + STREAM_TOKEN_TTL_MS)).toBe(false);
    expect(tokens.allows(token, "job-2", 1_000_000)).toBe(false);
    expect(new StreamTokens("another-token-entirely-0123").allows(token, "job-1", 1_000_000)).toBe(false);
  });
});

describe("browser session", () => {
  test("pages send you to the login page, which sets an HttpOnly SameSite=Strict cookie", async () => {
    const page = await fetch(`${server.url}/traces?service=x`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Ftraces%3Fservice%3Dx");
    const hx = await fetch(`${server.url}/jobs`, { headers: { "hx-request": "true" } });
    expect(hx.status).toBe(401);
    expect(hx.headers.get("hx-redirect")).toBe("/login?next=%2Fjobs");
    const form = await (await fetch(`${server.url}/login?next=%2Ftraces`)).text();
    expect(form).toContain('type="password"');

    const wrong = await fetch(`${server.url}/login`, { method: "POST", body: new URLSearchParams({ token: "nope", next: "/jobs" }), redirect: "manual" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const res = await login();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/traces?service=x");
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).not.toContain("Secure");
    const cookie = sessionOf(res);
    expect((await fetch(`${server.url}/jobs`, { headers: { cookie } })).status).toBe(200);
    // Tampered: refused.
    expect((await fetch(`${server.url}/jobs`, { headers: { cookie: cookie.slice(0, -2) + "xx" }, redirect: "manual" })).status).toBe(303);
  });

  test("the page streams need the session too", async () => {
    const id = await importFixture();
    const refused = await fetch(`${server.url}/jobs/${id}/events`, { headers: { accept: "text/event-stream" } });
    expect(refused.status).toBe(401);
    const cookie = sessionOf(await login());
    const ok = await fetch(`${server.url}/jobs/${id}/events`, { headers: { accept: "text/event-stream", cookie } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("event: end");
  });

  test("the cookie is Secure behind a TLS proxy only when the proxy is trusted", async () => {
    expect((await login({ "x-forwarded-proto": "https" })).headers.get("set-cookie")).not.toContain("Secure");
    const dir = mkdtempSync(join(tmpdir(), "traceport-proxy-"));
    const proxied = startServer({ ...resolveConfig({}, {}), port: 0, dataDir: dir, token: TOKEN, trustProxy: true }, createLogger({ format: "text", write: () => {} }));
    try {
      const res = await fetch(`${proxied.url}/login`, { method: "POST", body: new URLSearchParams({ token: TOKEN }), headers: { "x-forwarded-proto": "https" }, redirect: "manual" });
      expect(res.headers.get("set-cookie")).toContain("; Secure");
    } finally {
      await proxied.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("login never redirects off this server", async () => {
    for (const next of ["//evil.test/x", "https://evil.test/", "/\\evil.test"]) {
      const res = await fetch(`${server.url}/login`, { method: "POST", body: new URLSearchParams({ token: TOKEN, next }), redirect: "manual" });
      expect(res.headers.get("location")).toBe("/jobs");
    }
  });

  test("a session expires after 7 days", () => {
    const s = new SessionCookies(TOKEN);
    const cookie = s.issue(false, 0).split(";")[0]!;
    expect(s.valid(cookie, 7 * 24 * 3600 * 1000 - 1)).toBe(true);
    expect(s.valid(cookie, 7 * 24 * 3600 * 1000)).toBe(false);
    expect(new SessionCookies("a-different-token-0123456").valid(cookie, 1)).toBe(false);
  });
});

describe("CSRF", () => {
  test("a form post from another site is refused; from the same origin it goes through", async () => {
    const id = await importFixture();
    const cookie = sessionOf(await login());
    const host = new URL(server.url).host;
    const cross = await fetch(`${server.url}/jobs/${id}/delete`, { method: "POST", headers: { cookie, origin: "http://evil.test" }, redirect: "manual" });
    expect(cross.status).toBe(403);
    const nullOrigin = await fetch(`${server.url}/jobs/${id}/delete`, { method: "POST", headers: { cookie, origin: "null" }, redirect: "manual" });
    expect(nullOrigin.status).toBe(403);
    const fetchSite = await fetch(`${server.url}/jobs/${id}/delete`, { method: "POST", headers: { cookie, "sec-fetch-site": "cross-site" }, redirect: "manual" });
    expect(fetchSite.status).toBe(403);
    expect((await fetch(`${server.url}/api/jobs/${id}`, { headers: auth })).status).toBe(200);
    await ended(id);
    const same = await fetch(`${server.url}/jobs/${id}/delete`, { method: "POST", headers: { cookie, origin: `http://${host}` }, redirect: "manual" });
    expect(same.status).toBe(303);
    expect((await fetch(`${server.url}/api/jobs/${id}`, { headers: auth })).status).toBe(404);
  });

  test("the API takes cross-origin writes only from the CORS origins", async () => {
    const id = await importFixture();
    const evil = await fetch(`${server.url}/api/jobs/${id}/retry`, { method: "POST", headers: { ...auth, origin: "http://evil.test" } });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: string }).error).toBe("Cross-site request refused");
    const allowed = await fetch(`${server.url}/api/jobs/${id}/retry`, { method: "POST", headers: { ...auth, origin: "http://front.test" } });
    expect(allowed.status).toBe(409); // allowed through; a completed job cannot be retried
  });
});

describe("headers", () => {
  test("every response has the CSP, nosniff, frame-ancestors 'none' and a Referrer-Policy", async () => {
    const cookie = sessionOf(await login());
    for (const [path, headers] of [
      ["/jobs", { cookie }],
      ["/api/jobs", auth],
      ["/assets/app.css", {}],
      ["/login", {}],
      ["/jobs", {}],
      ["/api/nowhere", auth],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { headers, redirect: "manual" });
      const csp = res.headers.get("content-security-policy") ?? "";
      expect({ path, csp }).toEqual({ path, csp: expect.stringContaining("script-src 'self'") });
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
    }
  });
});
