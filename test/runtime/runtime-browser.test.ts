/**
 * The import flow in real Chromium against a traceport process run by
 * TRACEPORT_TEST_RUNTIME: import a file through the dialog of /jobs, watch its
 * progress move live to completed, browse the imported traces and open one;
 * then cancel a running import from its card.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { formatCount } from "../../views/format.ts";
import { launchBrowser, openPage, screenshot, until } from "../browser/harness.ts";
import { writeOtlpJsonLines } from "../helpers/generate-otlp.ts";
import { metric, settled, waitFor } from "../helpers/remote.ts";
import { selectedRuntime, startServerProcess, stopAllServerProcesses, type ServerProcess } from "../helpers/server-process.ts";

const runtime = selectedRuntime();
const SPANS_PER_TRACE = 20;
let browser: Browser;
let server: ServerProcess;
let watched: { path: string; spans: number; traces: number };
let cancelled: string;

beforeAll(async () => {
  server = await startServerProcess({ args: ["--workers", "1"] });
  // Large enough that the import takes a few seconds and the bar visibly moves.
  const path = join(server.dataDir, "live-import.jsonl");
  const w = await writeOtlpJsonLines(path, { spans: 100_000, spansPerTrace: SPANS_PER_TRACE, service: "checkout" });
  watched = { path, spans: w.spans, traces: w.traces };
  cancelled = join(server.dataDir, "to-cancel.jsonl");
  await writeOtlpJsonLines(cancelled, { spans: 150_000, spansPerTrace: SPANS_PER_TRACE, service: "cancelled", idBase: 1_000_000 });
  browser = await launchBrowser();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await stopAllServerProcesses();
});

/** Opens the Import dialog on /jobs, picks the file, submits; returns the new job's id. */
async function importThroughDialog(page: Page, path: string): Promise<string> {
  await page.goto(`${server.base}/jobs`);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.locator("#import-dialog[open]").waitFor();
  await page.setInputFiles("#dlg-file", path);
  await page.locator("#import-dialog").getByRole("button", { name: "Import", exact: true }).click();
  const card = page.locator("#import-dialog .job-card");
  await card.waitFor({ timeout: 15_000 });
  return (await card.getAttribute("data-job-id"))!;
}

describe(`traceport under ${runtime}: the import flow in Chromium`, () => {
  test("import through the dialog, watch live progress reach completed, browse the traces, open one", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openPage(context);
    const id = await importThroughDialog(page, watched.path);
    const card = page.locator("#import-dialog .job-card");

    // The bar moves through several values, never backwards, up to the report.
    const seen: number[] = [];
    await until(
      "the import's report",
      async () => {
        const v = Number((await card.locator("progress").getAttribute("value")) ?? 0);
        if (seen.at(-1) !== v) seen.push(v);
        return (await card.locator(".job-report").count()) > 0;
      },
      90_000,
    );
    expect(seen.filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(await card.locator("progress").getAttribute("value")).toBe("100");
    expect(await card.locator(".pct").textContent()).toBe("100%");
    expect(await card.locator(".badge").textContent()).toBe("completed");
    expect(await card.locator("h3").textContent()).toBe("live-import.jsonl");
    expect(await card.locator(".spans").textContent()).toBe(formatCount(watched.spans));
    expect(await card.locator(".traces").textContent()).toBe(formatCount(watched.traces));
    expect(await card.locator(".errors").textContent()).toBe("0");
    expect(await card.locator(".services a").allTextContents()).toEqual(["checkout"]);
    await screenshot(page, `runtime-${runtime}-import-report`);
    const job = await settled(server.base, id);
    expect([job.status, job.result!.spans, job.result!.inserted]).toEqual(["completed", watched.spans, watched.spans]);

    // The report links to this job's traces; the list shows a page of them.
    await card.getByRole("link", { name: "Browse the imported traces" }).click();
    await page.waitForURL(/\/traces\?job=/);
    const rows = page.locator("table.traces tbody tr");
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator("table.traces td.services").allTextContents()).toSatisfy((xs: string[]) => xs.every((x) => x === "checkout"));
    expect(await page.getByRole("link", { name: "Older traces →" }).count()).toBe(1);

    // Open the first trace: its waterfall has every span, the root first.
    await rows.first().locator("a").first().click();
    await page.waitForURL(/\/traces\/[0-9a-f]{32}$/);
    expect(await page.locator(".wf-row").count()).toBe(SPANS_PER_TRACE);
    expect(await page.locator(".wf-row").first().getAttribute("data-depth")).toBe("0");
    await page.locator(".wf-name").nth(1).click();
    await page.locator("#span-detail h2", { hasText: "step-" }).waitFor();
    await screenshot(page, `runtime-${runtime}-trace`);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  test("Cancel on a running import's card stops it: cancelled, nothing kept, its stream closed", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openPage(context);
    const id = await importThroughDialog(page, cancelled);
    const card = page.locator("#import-dialog .job-card");
    await until("the import to be running", async () => Number(await card.locator("progress").getAttribute("value")) >= 5, 60_000);
    expect(await card.locator(".badge").textContent()).toBe("running");
    // The card's stream and the jobs page's own.
    expect(await metric(server.base, "traceport_sse_connections")).toBe(2);

    await card.getByRole("button", { name: "Cancel" }).click();
    await card.locator(".job-cancelled").waitFor({ timeout: 15_000 });
    expect(await card.locator(".outcome").textContent()).toBe("Cancelled. Nothing from this file was kept.");
    expect(await card.locator(".badge").textContent()).toBe("cancelled");
    expect(await card.getByRole("button", { name: "Retry" }).isVisible()).toBe(true);
    const job = await settled(server.base, id);
    expect(job.status).toBe("cancelled");
    expect(((await (await fetch(`${server.base}/api/traces?job=${id}`)).json()) as { traces: unknown[] }).traces).toEqual([]);
    await waitFor("the card's stream to close", async () => (await metric(server.base, "traceport_sse_connections")) === 1, 5_000);
    await screenshot(page, `runtime-${runtime}-cancelled`);
    expect(errors).toEqual([]);
    await context.close();
    await waitFor("every stream to close", async () => (await metric(server.base, "traceport_sse_connections")) === 0, 5_000);
  }, 120_000);
});
