import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { launchBrowser, openPage, screenshot } from "./harness.ts";

let browser: Browser;
let server: TestServer;
let dir: string;
let file: string;

// Each would run script or load a resource if it reached the page as markup.
const FILE_NAME = `"><img src=x onerror="window.__xss='file'">.jsonl`;
const SERVICE = `<script>window.__xss='service'</script>`;
const SPAN = `"><img src=x onerror="window.__xss='span'">`;
const ATTR_KEY = `<b onmouseover="window.__xss='key'">key</b>`;
const ATTR_VALUE = `<svg onload="window.__xss='value'"></svg>`;
const EVENT = `<iframe src="javascript:window.__xss='event'"></iframe>`;
const TRACE_ID = "5b8efff798038103d269b633813fc60c";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "traceport-xss-"));
  file = join(dir, FILE_NAME);
  const span = (spanId: string, parent: string) => ({
    traceId: TRACE_ID,
    spanId,
    parentSpanId: parent,
    name: SPAN,
    kind: 2,
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000500000000",
    attributes: [{ key: ATTR_KEY, value: { stringValue: ATTR_VALUE } }],
    events: [{ name: EVENT, timeUnixNano: "1700000000100000000", attributes: [] }],
    status: { code: 2, message: `<img src=x onerror="window.__xss='status'">` },
  });
  const line = (spans: unknown[]) =>
    JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: SERVICE } }] }, scopeSpans: [{ spans }] }] });
  // A bad line too, so the report's table of skipped records has a row.
  writeFileSync(file, [line([span("00000000000000a1", "")]), `{"resourceSpans": "<script>window.__xss='line'</script>"}`, line([span("00000000000000a2", "00000000000000a1")])].join("\n") + "\n");
  server = startTestServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  browser = await launchBrowser();
});

/** Nothing ran, and no element the payloads would create exists in the page's content. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate("window.__xss")).toBeUndefined();
  expect(await page.locator("main img, main svg:not(.wf-svg), main iframe, main b, main script, dialog img, dialog script").count()).toBe(0);
}

test("names, services, spans and attribute values with markup are shown as text everywhere", async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const { page, errors } = await openPage(context);
  page.on("dialog", (d) => {
    errors.push(`a dialog opened: ${d.message()}`);
    void d.dismiss();
  });

  await page.goto(`${server.url}/jobs`);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.setInputFiles("#dlg-file", file);
  await page.locator("#import-dialog").getByRole("button", { name: "Import", exact: true }).click();
  const card = page.locator("#import-dialog .job-card");
  await card.locator(".job-report").waitFor({ timeout: 15_000 });
  expect(await card.locator("h3").textContent()).toBe(FILE_NAME);
  expect(await card.locator(".services a").allTextContents()).toEqual([SERVICE]);
  expect(await card.locator(".errors").textContent()).toBe("1");
  await card.locator(".errors-table summary").click();
  expect(await card.locator(".errors-table td").first().textContent()).toStartWith("line 2");
  await expectInert(page);
  await screenshot(page, "xss-report");
  await page.keyboard.press("Escape");

  // The jobs table, the traces list and its filter, the waterfall, the span details.
  await page.goto(`${server.url}/jobs`);
  expect(await page.locator("#job-rows td.name").first().textContent()).toBe(FILE_NAME);
  await expectInert(page);

  await page.goto(`${server.url}/traces`);
  expect(await page.locator("#f-service option").allTextContents()).toEqual(["Any", SERVICE]);
  expect(await page.locator("table.traces tbody td").first().textContent()).toBe(`${SERVICE} ${SPAN}`);
  await page.locator("#f-service").selectOption(SERVICE);
  await page.getByRole("button", { name: "Filter" }).click();
  expect(await page.locator("table.traces tbody tr").count()).toBe(1);
  await expectInert(page);

  await page.locator("table.traces tbody a").first().click();
  await page.waitForURL(`${server.url}/traces/${TRACE_ID}`);
  expect(await page.locator(".wf-name").first().textContent()).toBe(`${SERVICE} ${SPAN}`);
  await page.locator(".wf-name").first().click();
  const detail = page.locator("#span-detail");
  await detail.locator("h2").waitFor();
  expect(await detail.locator("h2").textContent()).toBe(SPAN);
  expect(await detail.locator("table.kv th").first().textContent()).toBe(ATTR_KEY);
  expect(await detail.locator("table.kv td").first().textContent()).toBe(ATTR_VALUE);
  expect(await detail.locator("ol.events strong").textContent()).toBe(EVENT);
  expect(await detail.textContent()).toContain(`<img src=x onerror="window.__xss='status'">`);
  await expectInert(page);
  await screenshot(page, "xss-trace");
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
