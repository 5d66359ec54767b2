import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { fixturePath } from "../helpers/fixtures.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { launchBrowser, openPage, screenshot } from "./harness.ts";

const TOKEN = "browser-test-token-0123456789";
let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = startTestServer({ token: TOKEN });
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

test("with a token: log in, then import through the dialog and watch it live, under the CSP", async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  await page.goto(`${server.url}/traces`);
  await page.waitForURL(/\/login\?next=%2Ftraces$/);
  await page.getByLabel("API token").fill("not the token");
  await page.getByRole("button", { name: "Log in" }).click();
  expect(await page.getByRole("alert").textContent()).toContain("not the token");
  await screenshot(page, "login-refused");
  errors.length = 0; // the refused login's 401 is expected
  await page.getByLabel("API token").fill(TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${server.url}/traces`);
  const cookies = await context.cookies();
  expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([["traceport_session", true, "Strict"]]);

  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.setInputFiles("#dlg-file", fixturePath("otlp/otlp2parquet-traces.jsonl"));
  await page.locator("#import-dialog").getByRole("button", { name: "Import", exact: true }).click();
  await page.locator("#import-dialog .job-report").waitFor({ timeout: 15_000 });
  expect(await page.locator("#import-dialog .traces").textContent()).toBe("19");
  // No CSP violation, no failed request.
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
