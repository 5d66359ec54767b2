import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { EXPECTED, fixturePath } from "../helpers/fixtures.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { launchBrowser, openPage, screenshot, until } from "./harness.ts";

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = startTestServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

test("a fixture imported through the dialog: the bar reaches 100% and the report is right", async () => {
  const rel = "otlp/otlp2parquet-traces.jsonl";
  const expected = EXPECTED[rel]!;
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const { page, errors } = await openPage(context);
  await page.goto(`${server.url}/jobs`);

  // The Import button opens the dialog, with the focus inside it.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  const dialog = page.locator("#import-dialog");
  await expect(dialog.isVisible()).resolves.toBe(true);
  expect(await page.evaluate("document.activeElement?.closest('dialog')?.id")).toBe("import-dialog");
  expect(await page.getByLabel("Format").inputValue()).toBe("auto");
  expect(await page.getByLabel("Strict").isChecked()).toBe(false);

  await page.setInputFiles("#dlg-file", fixturePath(rel));
  await dialog.getByRole("button", { name: "Import", exact: true }).click();

  const card = dialog.locator(".job-card");
  await card.locator(".job-report").waitFor({ timeout: 15_000 });
  expect(await card.locator("progress").getAttribute("value")).toBe("100");
  expect(await card.locator(".pct").textContent()).toBe("100%");
  expect(await card.locator(".badge").textContent()).toBe("completed");
  expect(await card.locator("h3").textContent()).toBe("otlp2parquet-traces.jsonl");
  expect(await card.locator(".spans").textContent()).toBe(String(expected.spans));
  expect(await card.locator(".traces").textContent()).toBe(String(expected.traces));
  expect(await card.locator(".inserted").textContent()).toBe(String(expected.unique_spans ?? expected.spans));
  expect(await card.locator(".duplicates").textContent()).toBe("0");
  expect(await card.locator(".errors").textContent()).toBe("0");
  const services = await card.locator(".services a").allTextContents();
  expect(services.sort()).toEqual([...expected.services!].sort());
  // The stream ended with the job: the server holds no connection for it.
  await until("the card's stream to close", () => server.hub.size === 1); // the jobs page's own stream
  await screenshot(page, "import-dialog-report");

  // The report links to the traces this job imported.
  await card.getByRole("link", { name: "Browse the imported traces" }).click();
  await page.waitForURL(/\/traces\?job=/);
  expect(await page.locator("table.traces tbody tr").count()).toBe(expected.traces!);
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("an import that fails shows its reason and details in the dialog", async () => {
  const context = await browser.newContext();
  const { page } = await openPage(context);
  await page.goto(`${server.url}/traces`);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.setInputFiles("#dlg-file", fixturePath("otlp/invalid/otlp2parquet-malformed.json"));
  await page.locator("#import-dialog").getByRole("button", { name: "Import", exact: true }).click();
  const failed = page.locator("#import-dialog .job-failed");
  await failed.waitFor({ timeout: 15_000 });
  expect(await failed.locator(".outcome").textContent()).toBe('Invalid JSON at line 21, column 15: unexpected "/"');
  expect(await page.locator("#import-dialog .badge").textContent()).toBe("failed");
  expect(await failed.locator(".details").textContent()).toContain("line 21");
  await screenshot(page, "import-dialog-failed");

  // Retry puts it back in the queue: the card goes live again and fails the same way, a second time.
  const card = page.locator("#import-dialog .job-card");
  const id = await card.getAttribute("data-job-id");
  await card.getByRole("button", { name: "Retry" }).click();
  await until("the retried job to fail again", async () => {
    const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { status: string; attempts: number };
    return job.status === "failed" && job.attempts === 2;
  });
  await page.locator("#import-dialog .job-failed").waitFor();
  expect(await page.locator("#import-dialog .job-card").count()).toBe(1);
  expect(await card.getByRole("button", { name: "Retry" }).isVisible()).toBe(true);
  await context.close();
}, 60_000);

test("the dialog works from the keyboard: Escape closes it and the cards go with it", async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await page.goto(`${server.url}/traces`);
  await page.getByRole("link", { name: "Import", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.locator("#import-dialog[open]").waitFor();
  await page.setInputFiles("#dlg-file", fixturePath("otlp/jaeger-ui-multi-line.jsonl"));
  await page.getByLabel("Strict").check(); // Tab order reaches it; check() is the same input
  await page.locator("#import-dialog").getByRole("button", { name: "Import", exact: true }).click();
  await page.locator("#import-dialog .job-report").waitFor({ timeout: 15_000 });
  await page.keyboard.press("Escape");
  await until("the dialog to close", async () => !(await page.locator("#import-dialog").isVisible()));
  // The close event comes a moment after the dialog is hidden.
  await until("the cards to go", async () => (await page.locator("#import-results .job-card").count()) === 0, 2_000);
  // The form is reset for the next import.
  expect(await page.getByLabel("Strict").isChecked()).toBe(false);
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
