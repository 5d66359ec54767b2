import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { fixturePath } from "../helpers/fixtures.ts";
import { startTestServer, upload, type TestServer } from "../helpers/server.ts";
import { launchBrowser, openPage } from "./harness.ts";

let browser: Browser;
let server: TestServer;
let bundle: string;

beforeAll(async () => {
  browser = await launchBrowser();
  server = startTestServer({ runJobs: false });
  // The client as a browser would load it: bundled for the browser, exposed as a global.
  const built = await Bun.build({ entrypoints: [join(import.meta.dir, "fixtures/client-global.ts")], target: "browser", format: "iife" });
  expect(built.success).toBe(true);
  bundle = await built.outputs[0]!.text();
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

test("the SSE client runs in a browser and follows a job to its report", async () => {
  const context = await browser.newContext();
  const { page, errors } = await openPage(context);
  const { id } = await upload(server.url, fixturePath("otlp/otlp2parquet-traces.jsonl"));
  await page.goto(`${server.url}/healthz`);
  await page.evaluate(bundle);
  const run = page.evaluate(`(async () => {
    const seen = [];
    const client = new TraceportClient.SSEClient(location.origin + "/api/jobs/${id}/stream", {
      onOpen: () => seen.push("open"),
      onProgress: (u) => seen.push(u.status),
      onCompleted: (u) => seen.push("completed:" + u.result.spans),
    });
    await client.done;
    return seen;
  })()`) as Promise<string[]>;
  await Bun.sleep(200);
  server.ctx.runner.start();
  const seen = await run;
  expect(seen[0]).toBe("open");
  expect(seen.at(-1)).toBe("completed:19");
  expect(seen.filter((s) => s.startsWith("completed")).length).toBe(1);
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
