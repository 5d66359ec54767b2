/**
 * Authentication on a traceport process run by TRACEPORT_TEST_RUNTIME with a
 * token (TRACEPORT_TOKEN): the API wants the Bearer token, browsers log in for
 * a session cookie, and a stream token opens one job's stream.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixturePath } from "../helpers/fixtures.ts";
import { readSse, settled, uploadForm, type JobJson } from "../helpers/remote.ts";
import { selectedRuntime, startServerProcess, stopAllServerProcesses, type ServerProcess } from "../helpers/server-process.ts";

const runtime = selectedRuntime();
const TOKEN = "runtime-test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
let server: ServerProcess;
let jobId: string;

beforeAll(async () => {
  server = await startServerProcess({ env: { TRACEPORT_TOKEN: TOKEN } });
  const res = await uploadForm(server.base, fixturePath("otlp/otlp2parquet-traces.jsonl"), {}, auth);
  expect(res.status).toBe(202);
  jobId = ((await res.json()) as JobJson).id;
  expect((await settled(server.base, jobId, auth)).status).toBe("completed");
}, 90_000);
afterAll(() => stopAllServerProcesses());

async function login(token: string, next = "/traces"): Promise<Response> {
  return fetch(`${server.base}/login`, {
    method: "POST",
    body: new URLSearchParams({ token, next }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
}

describe(`traceport under ${runtime}: with a token`, () => {
  test("the API without the token is 401 JSON; a wrong token 401; the Bearer token 200", async () => {
    for (const path of ["/api/jobs", `/api/jobs/${jobId}`, "/api/traces", `/api/jobs/${jobId}/stream`]) {
      const none = await fetch(`${server.base}${path}`);
      expect({ path, status: none.status }).toEqual({ path, status: 401 });
      expect(none.headers.get("www-authenticate")).toBe('Bearer realm="traceport"');
      expect(await none.json()).toEqual({ error: "Authentication required", details: "Send the API token as `Authorization: Bearer <token>`." });
    }
    const upload = await uploadForm(server.base, fixturePath("otlp/proto-example.json"));
    expect(upload.status).toBe(401);
    expect((await fetch(`${server.base}/api/jobs`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    const ok = await fetch(`${server.base}/api/jobs`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { jobs: JobJson[] }).jobs.map((j) => j.id)).toContain(jobId);
    const stream = await readSse(`${server.base}/api/jobs/${jobId}/stream`, { headers: auth });
    expect(stream.status).toBe(200);
    expect(stream.events.map((e) => e.type)).toEqual(["completed"]);
    // Health stays open for probes.
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });

  test("pages send you to log in; the login form sets an HttpOnly SameSite=Strict session cookie; the pages work with it", async () => {
    const page = await fetch(`${server.base}/traces`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Ftraces");
    const form = await fetch(`${server.base}/login?next=%2Ftraces`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('type="password"');

    const wrong = await login("not-the-token-at-all");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const res = await login(TOKEN);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/traces");
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toStartWith("traceport_session=");
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    const cookie = setCookie.split(";")[0]!;
    const traces = await fetch(`${server.base}/traces`, { headers: { cookie } });
    expect(traces.status).toBe(200);
    expect(await traces.text()).toContain('<table class="traces"');
    const jobs = await fetch(`${server.base}/jobs`, { headers: { cookie } });
    expect(jobs.status).toBe(200);
    expect(await jobs.text()).toContain("otlp2parquet-traces.jsonl");
    // The page stream of a job, with the session.
    const events = await fetch(`${server.base}/jobs/${jobId}/events`, { headers: { accept: "text/event-stream", cookie } });
    expect(events.status).toBe(200);
    expect(await events.text()).toContain("event: end");
    // A tampered cookie is no session; the session is not an API credential.
    expect((await fetch(`${server.base}/jobs`, { headers: { cookie: cookie.slice(0, -2) + "xx" }, redirect: "manual" })).status).toBe(303);
    expect((await fetch(`${server.base}/api/jobs`, { headers: { cookie } })).status).toBe(401);
  });

  test("a stream token opens that job's stream only, without the Bearer header", async () => {
    expect((await fetch(`${server.base}/api/jobs/${jobId}/stream-token`, { method: "POST" })).status).toBe(401);
    const minted = await fetch(`${server.base}/api/jobs/${jobId}/stream-token`, { method: "POST", headers: auth });
    expect(minted.status).toBe(200);
    const { token, url, expiresAt } = (await minted.json()) as { token: string; url: string; expiresAt: string };
    expect(url).toBe(`/api/jobs/${jobId}/stream?token=${encodeURIComponent(token)}`);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const read = await readSse(`${server.base}${url}`);
    expect(read.status).toBe(200);
    expect(read.events.map((e) => e.type)).toEqual(["completed"]);
    expect((read.events[0]!.data.result as { spans: number }).spans).toBe(19);
    // Not for another endpoint, not forged.
    expect((await fetch(`${server.base}/api/jobs/${jobId}?token=${encodeURIComponent(token)}`)).status).toBe(401);
    expect((await fetch(`${server.base}/api/jobs/${jobId}/stream?token=forged.token`)).status).toBe(401);
    // The token never shows in the server's log.
    expect(server.log()).not.toContain(token);
    expect(server.log()).not.toContain(TOKEN);
  });
});
