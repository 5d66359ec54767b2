import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { fixturePath } from "../helpers/fixtures.ts";
import { writeOtlpJsonLines } from "../helpers/generate-otlp.ts";
import { startTestServer, upload, type TestServer } from "../helpers/server.ts";
import { launchBrowser, openPage, screenshot, until } from "./harness.ts";

let browser: Browser;
let server: TestServer;
let dir: string;
const files: string[] = [];

/** Records every EventSource the page opens. */
const COUNT_EVENT_SOURCES = `
  window.__eventSources = [];
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url, init) { super(url, init); window.__eventSources.push(String(url)); }
  };
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "traceport-jobs-page-"));
  for (const name of ["first-big.jsonl", "second-big.jsonl"]) {
    const path = join(dir, name);
    await writeOtlpJsonLines(path, { spans: 150_000, spansPerTrace: 15, service: name, idBase: files.length * 1_000_000 + 1 });
    files.push(path);
  }
  browser = await launchBrowser();
  // Jobs wait in the queue until the page is open (the test starts the runner).
  server = startTestServer({ workers: 2, runJobs: false });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const progressOf = async (page: Page, id: string) => Number(await page.locator(`#job-row-${id} progress`).getAttribute("value"));
const statusOf = (page: Page, id: string) => page.locator(`#job-row-${id} .badge`).textContent();

test("one EventSource for the whole jobs page, two running rows updating, new jobs pushed in, row actions", async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.addInitScript(COUNT_EVENT_SOURCES);
  const { page, errors } = await openPage(context);

  const a = await upload(server.url, files[0]!);
  const b = await upload(server.url, files[1]!);
  await page.goto(`${server.url}/jobs`);
  expect(await page.locator("#job-rows tr").count()).toBe(2);
  expect(await statusOf(page, a.id)).toBe("queued");
  server.ctx.runner.start();

  // Both rows move while both jobs run, over one connection.
  const seen: Record<string, Set<number>> = { [a.id]: new Set(), [b.id]: new Set() };
  await until(
    "both rows to show progress several times",
    async () => {
      for (const id of [a.id, b.id]) seen[id]!.add(await progressOf(page, id));
      return [a.id, b.id].every((id) => [...seen[id]!].filter((v) => v > 0 && v < 100).length >= 2);
    },
    60_000,
  );
  expect(await statusOf(page, a.id)).toBe("running");
  expect(await statusOf(page, b.id)).toBe("running");
  expect(await page.evaluate("window.__eventSources")).toEqual([expect.stringMatching(/^\/jobs\/events\?/)]);
  expect(server.hub.size).toBe(1);
  await screenshot(page, "jobs-page-two-running");

  // Cancel from the row; the row's buttons change with its status.
  const rowA = page.locator(`#job-row-${a.id}`);
  await rowA.getByRole("button", { name: "Cancel" }).click();
  await until("the row to show cancelled", async () => (await statusOf(page, a.id)) === "cancelled", 15_000);
  expect(await rowA.getByRole("button", { name: "Cancel" }).count()).toBe(0);

  // A job created after the page was rendered appears at the top, and finishes there.
  const c = await upload(server.url, fixturePath("otlp/otlp2parquet-traces.jsonl"));
  const newRow = page.locator(`#new-job-rows #job-row-${c.id}`);
  await newRow.waitFor({ timeout: 15_000 });
  await until("the new job to complete", async () => (await statusOf(page, c.id)) === "completed", 60_000);
  expect(await newRow.locator(".spans").textContent()).toBe("19");

  // Retry from the row, then cancel it again.
  await rowA.getByRole("button", { name: "Retry" }).click();
  await until("the retried job to be back", async () => ["queued", "running"].includes((await statusOf(page, a.id))!), 15_000);
  await rowA.getByRole("button", { name: "Cancel" }).click();
  await until("the row to show cancelled again", async () => (await statusOf(page, a.id)) === "cancelled", 15_000);

  // Delete, with its spans: the row goes, and so does the job.
  await rowA.getByRole("checkbox", { name: "with spans" }).check();
  await rowA.getByRole("button", { name: "Delete" }).click();
  await until("the row to go", async () => (await page.locator(`#job-row-${a.id}`).count()) === 0);
  expect((await fetch(`${server.url}/api/jobs/${a.id}`)).status).toBe(404);

  await until("the second job to complete", async () => (await statusOf(page, b.id)) === "completed", 90_000);
  expect(await progressOf(page, b.id)).toBe(100);
  expect(await page.locator(`#job-row-${b.id} .spans`).textContent()).toBe("150,000");
  // Still the same single connection.
  expect(await page.evaluate("window.__eventSources")).toHaveLength(1);
  expect(server.hub.size).toBe(1);
  await screenshot(page, "jobs-page-done");
  expect(errors).toEqual([]);
  await context.close();
  await until("the page's stream to close", () => server.hub.size === 0);
}, 180_000);

test("the status filter and pagination", async () => {
  const context = await browser.newContext();
  const { page } = await openPage(context);
  await page.goto(`${server.url}/jobs?status=completed`);
  const names = await page.locator("#job-rows td.name").allTextContents();
  expect(names.sort()).toEqual(["otlp2parquet-traces.jsonl", "second-big.jsonl"]);
  expect(await page.locator("nav.filters a[aria-current=page]").textContent()).toBe("Completed");
  expect((await page.goto(`${server.url}/jobs?status=nope`))!.status()).toBe(400);

  // 30 more jobs: the first page shows 25, "Older jobs" the rest.
  for (let i = 0; i < 30; i++) await upload(server.url, fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
  await page.goto(`${server.url}/jobs`);
  expect(await page.locator("#job-rows tr").count()).toBe(25);
  await page.getByRole("link", { name: "Older jobs →" }).click();
  expect(await page.locator("#job-rows tr").count()).toBe(30 + 2 - 25);
  expect(await page.getByRole("link", { name: "Older jobs →" }).count()).toBe(0);
  await context.close();
}, 60_000);
