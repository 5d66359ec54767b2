import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { writeOtlpJsonLines } from "../helpers/generate-otlp.ts";
import { startTestServer, upload, type TestServer } from "../helpers/server.ts";
import { launchBrowser, openPage, screenshot, until } from "./harness.ts";

let browser: Browser;
let server: TestServer;
let dir: string;
let bigFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "traceport-resilience-"));
  bigFile = join(dir, "resilience.jsonl");
  await writeOtlpJsonLines(bigFile, { spans: 150_000, spansPerTrace: 15, service: "resilience" });
  browser = await launchBrowser();
  // Jobs stay queued until a test starts the runner, so each test decides
  // what the page sees first, whatever the speed of the machine.
  server = startTestServer({ runJobs: false });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Every test starts with the runner stopped and nothing waiting. */
afterEach(async () => {
  const { jobs } = (await (await fetch(`${server.url}/api/jobs?limit=200`)).json()) as { jobs: { id: string; status: string }[] };
  for (const j of jobs) if (j.status === "queued" || j.status === "running") await fetch(`${server.url}/api/jobs/${j.id}/cancel`, { method: "POST" });
  await until("the runner to be idle", () => server.ctx.runner.runningCount === 0, 10_000);
  await server.ctx.runner.stop();
});

test("without JavaScript: the form posts, 303s to the job's page, which refreshes itself until the job ends", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const { page } = await openPage(context);
  const navigations: string[] = [];
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations.push(f.url());
  });
  await page.goto(`${server.url}/jobs`);
  // No dialog without JavaScript: the Import link leads to the form's own page.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.waitForURL(`${server.url}/import`);
  await page.setInputFiles("#page-file", bigFile);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
  const jobUrl = page.url();
  expect(await page.locator(".job-card .badge").textContent()).toBe("queued");
  expect(await page.locator("meta[http-equiv=refresh]").count()).toBe(1);
  await screenshot(page, "no-js-job-queued");
  server.ctx.runner.start();

  await page.locator(".job-report").waitFor({ timeout: 60_000 });
  expect(page.url()).toBe(jobUrl);
  // It got there by reloading itself (every 2 s), and stops now that the job has ended.
  expect(navigations.filter((u) => u === jobUrl).length).toBeGreaterThanOrEqual(2);
  expect(await page.locator(".spans").textContent()).toBe("150,000");
  expect(await page.locator("meta[http-equiv=refresh]").count()).toBe(0);
  await screenshot(page, "no-js-job-done");

  // Cancel works as a plain form post too.
  const other = await upload(server.url, bigFile);
  await page.goto(`${server.url}/jobs/${other.id}`);
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.waitForURL(`${server.url}/jobs/${other.id}`);
  await page.locator(".job-cancelled").waitFor({ timeout: 15_000 });
  await context.close();
}, 120_000);

test("when the stream endpoint keeps answering errors, the card falls back to polling until the job ends", async () => {
  const context = await browser.newContext();
  const { page } = await openPage(context);
  let streamAttempts = 0;
  let polls = 0;
  await page.route(/\/jobs\/[^/]+\/events$/, (route) => {
    streamAttempts++;
    return route.fulfill({ status: 500, contentType: "text/plain", body: "stream unavailable" });
  });
  page.on("request", (r) => {
    if (r.url().includes("/card?mode=poll")) polls++;
  });
  const job = await upload(server.url, bigFile);
  await page.goto(`${server.url}/jobs/${job.id}`);
  await page.locator(`#job-${job.id}[data-mode=poll]`).waitFor({ timeout: 20_000 });
  expect(streamAttempts).toBe(3);
  // Polling follows the job from queued to its end.
  server.ctx.runner.start();
  await page.locator(`#job-${job.id} .job-report`).waitFor({ timeout: 60_000 });
  expect(polls).toBeGreaterThanOrEqual(2);
  expect(await page.locator(`#job-${job.id} .spans`).textContent()).toBe("150,000");
  // Ended: the card is static, so the polling stops, and the stream was never tried again.
  expect(await page.locator(`#job-${job.id}`).getAttribute("data-mode")).toBe("static");
  const pollsAtEnd = polls;
  const attemptsAtEnd = streamAttempts;
  await Bun.sleep(3500);
  expect(polls).toBe(pollsAtEnd);
  // htmx-ext-sse may fire one reconnect it had already scheduled before the
  // card was swapped out; that source belongs to a removed element and is closed at once.
  expect(attemptsAtEnd).toBeLessThanOrEqual(4);
  expect(streamAttempts).toBe(attemptsAtEnd);
  await screenshot(page, "fallback-polling-done");
  await context.close();
}, 120_000);

test("a stream that drops resumes with a full snapshot and the card ends right", async () => {
  const context = await browser.newContext();
  const { page } = await openPage(context);
  let streamRequests = 0;
  page.on("request", (r) => {
    if (r.url().endsWith("/events")) streamRequests++;
  });
  const job = await upload(server.url, bigFile);
  await page.goto(`${server.url}/jobs/${job.id}`);
  const card = page.locator(`#job-${job.id}`);
  expect(await card.locator(".badge").textContent()).toBe("queued");
  // Drop the stream while the job waits, as a proxy restart would, then run it.
  await until("the stream to open", () => server.hub.size === 1);
  server.hub.closeAll();
  expect(server.hub.size).toBe(0);
  server.ctx.runner.start();
  // The browser reconnects by itself; the first frame is the whole current card.
  await card.locator(".job-report").waitFor({ timeout: 60_000 });
  expect(streamRequests).toBe(2);
  expect(await card.locator(".spans").textContent()).toBe("150,000");
  expect(await card.locator(".pct").textContent()).toBe("100%");
  await until("the stream to end with the job", () => server.hub.size === 0);
  await context.close();
}, 120_000);

test("when the jobs page's stream keeps failing, the page reloads its table every few seconds instead", async () => {
  const context = await browser.newContext();
  const { page } = await openPage(context);
  let streamAttempts = 0;
  let tableReloads = 0;
  await page.route(/\/jobs\/events\?/, (route) => {
    streamAttempts++;
    return route.fulfill({ status: 503, contentType: "text/plain", body: "unavailable" });
  });
  page.on("request", (r) => {
    if (r.headers()["hx-request"] === "true" && new URL(r.url()).pathname === "/jobs") tableReloads++;
  });
  const job = await upload(server.url, bigFile);
  await page.goto(`${server.url}/jobs`);
  expect(await page.locator(`#job-row-${job.id} .badge`).textContent()).toBe("queued");
  await until("the fallback to start", () => streamAttempts >= 3, 15_000);
  server.ctx.runner.start();
  await until("the row to show completed", async () => (await page.locator(`#job-row-${job.id} .badge`).textContent()) === "completed", 60_000);
  expect(tableReloads).toBeGreaterThanOrEqual(1);
  // The failing stream was given up, not retried forever.
  const attempts = streamAttempts;
  await Bun.sleep(2000);
  expect(streamAttempts).toBeLessThanOrEqual(Math.max(attempts, 4));
  expect(await page.locator(`#job-row-${job.id} .spans`).textContent()).toBe("150,000");
  await context.close();
}, 120_000);
