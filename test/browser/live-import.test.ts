import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { jobTopic } from "../../src/context.ts";
import { formatBytes } from "../../views/format.ts";
import { writeOtlpJsonLines } from "../helpers/generate-otlp.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { launchBrowser, openPage, screenshot, until } from "./harness.ts";

let browser: Browser;
let server: TestServer;
let dir: string;
let bigFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "traceport-browser-"));
  bigFile = join(dir, "big-generated.jsonl");
  // Large enough to take several seconds to import on a loaded 2-core machine.
  await writeOtlpJsonLines(bigFile, { spans: 200_000, spansPerTrace: 20, service: "checkout" });
  browser = await launchBrowser();
  server = startTestServer();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function spansOfJob(id: string): number {
  return (server.ctx.store.sqlite.query("SELECT count(*) AS n FROM spans WHERE job_id = ?").get(id) as { n: number }).n;
}

async function startDialogImport(page: Page, path: string): Promise<string> {
  await page.goto(`${server.url}/traces`);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.setInputFiles("#dlg-file", path);
  await page.locator("#import-dialog").getByRole("button", { name: "Import", exact: true }).click();
  const card = page.locator("#import-dialog .job-card");
  await card.waitFor();
  return (await card.getAttribute("data-job-id"))!;
}

test("a large import moves live in the dialog, and Cancel stops it with no spans left", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
  const { page, errors } = await openPage(context);
  const id = await startDialogImport(page, bigFile);
  const card = page.locator("#import-dialog .job-card");

  // Watch the bar: it must move through several values, never backwards.
  const seen: number[] = [];
  await until(
    "the import to pass 25%",
    async () => {
      const v = Number((await card.locator("progress").getAttribute("value")) ?? 0);
      if (seen.at(-1) !== v) seen.push(v);
      return v >= 25;
    },
    60_000,
  );
  expect(seen.length).toBeGreaterThanOrEqual(3);
  expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  expect(await card.locator(".badge").textContent()).toBe("running");
  expect(await card.locator(".rate").textContent()).toMatch(/^[\d,]+\/s$/);
  expect(await card.locator(".eta").textContent()).not.toBe("–");
  expect(await card.locator(".bytes").textContent()).toEndWith(` of ${formatBytes(Bun.file(bigFile).size)}`);
  expect(Number((await card.locator(".spans").textContent())!.replace(/,/g, ""))).toBeGreaterThan(0);
  // One stream for the card, and nothing else on this page.
  expect(server.hub.size).toBe(1);
  await screenshot(page, "import-dialog-mid-import");

  await card.getByRole("button", { name: "Cancel" }).click();
  await card.locator(".job-cancelled").waitFor({ timeout: 10_000 });
  expect(await card.locator(".outcome").textContent()).toBe("Cancelled. Nothing from this file was kept.");
  expect(await card.locator(".badge").textContent()).toBe("cancelled");
  // The buttons changed with the status: Retry instead of Cancel.
  expect(await card.getByRole("button", { name: "Retry" }).isVisible()).toBe(true);
  expect(await card.getByRole("button", { name: "Cancel" }).count()).toBe(0);
  expect(spansOfJob(id)).toBe(0);
  const traces = (await (await fetch(`${server.url}/api/traces?job=${id}`)).json()) as { traces: unknown[] };
  expect(traces.traces).toEqual([]);
  await until("the card's stream to end", () => server.hub.size === 0);
  await screenshot(page, "import-dialog-cancelled");
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);

test("closing the dialog mid-import closes its stream: the server's subscriber count drops to 0", async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  const id = await startDialogImport(page, bigFile);
  await until("the import to start", async () => Number(await page.locator("#import-dialog progress").getAttribute("value")) > 0, 60_000);
  expect(server.hub.size).toBe(1);
  expect(server.ctx.broker.count(jobTopic(id))).toBe(1);

  await page.keyboard.press("Escape");
  await until("the stream to close", () => server.hub.size === 0 && server.ctx.broker.count(jobTopic(id)) === 0, 5_000);
  expect(server.ctx.broker.count()).toBe(0);
  expect(await page.locator("#import-results").innerHTML()).toBe("");
  // Closing the dialog only stops watching: the import goes on.
  const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { status: string };
  expect(["queued", "running"]).toContain(job.status);
  await fetch(`${server.url}/api/jobs/${id}/cancel`, { method: "POST" });
  await until("the job to be cancelled", () => spansOfJob(id) === 0 && server.ctx.runner.runningCount === 0, 10_000);
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);
