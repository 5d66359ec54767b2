/**
 * The same spans, serialised by the OpenTelemetry JS SDK once as protobuf and
 * once as JSON (test/fixtures/traces/generated, made by
 * scripts/generate-fixtures.ts), imported into two stores through the API and
 * exported as OTLP JSON: every trace must come out the same, value for value.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ImportResult } from "../src/import/import-task.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";

let fromProto: TestServer;
let fromJson: TestServer;
beforeAll(async () => {
  fromProto = startTestServer({ workers: 1 });
  fromJson = startTestServer({ workers: 1 });
});
afterAll(async () => {
  await fromProto.dispose();
  await fromJson.dispose();
});

async function importVia(s: TestServer, path: string): Promise<ImportResult> {
  const { id } = await upload(s.url, path);
  for (let i = 0; i < 1000; i++) {
    const job = (await (await fetch(`${s.url}/api/jobs/${id}`)).json()) as { status: string; result: ImportResult; error: string | null };
    if (job.status === "completed") return job.result;
    if (job.status === "failed" || job.status === "cancelled") throw new Error(`import failed: ${job.error}`);
    await Bun.sleep(10);
  }
  throw new Error("import did not finish");
}

async function traceIds(s: TestServer): Promise<string[]> {
  const body = (await (await fetch(`${s.url}/api/traces?limit=100`)).json()) as { traces: { traceId: string }[] };
  return body.traces.map((t) => t.traceId).sort();
}

async function exported(s: TestServer, id: string): Promise<unknown> {
  const res = await fetch(`${s.url}/api/traces/${id}?format=otlp`);
  expect(res.status).toBe(200);
  return res.json();
}

test("protobuf and JSON from the SDK export to identical OTLP JSON, with protojson's conventions", async () => {
  const p = await importVia(fromProto, fixturePath("generated/sdk-protobuf-serializer.binpb"));
  const j = await importVia(fromJson, fixturePath("generated/sdk-json-serializer.json"));
  expect(p.format).toBe("otlp-proto");
  expect(j.format).toBe("otlp-json");
  expect(p.spans).toBe(j.spans);
  expect(p.errors + j.errors).toBe(0);
  const ids = await traceIds(fromProto);
  expect(ids).toEqual(await traceIds(fromJson));
  expect(ids.length).toBe(p.traces);

  const all: string[] = [];
  for (const id of ids) {
    const a = await exported(fromProto, id);
    expect(a).toEqual(await exported(fromJson, id));
    all.push(JSON.stringify(a));
  }
  const text = all.join("\n");
  // The comparison covers what the SDK wrote: these would make it vacuous if absent.
  for (const field of ['"events"', '"links"', '"droppedAttributesCount"', '"schemaUrl"', '"traceState"', '"arrayValue"', '"doubleValue"', '"boolValue"', '"status"']) {
    expect(text).toContain(field);
  }
  // protojson: int64 as strings, defaults left out.
  expect(text).toMatch(/"intValue":"\d+"/);
  expect(text).not.toMatch(/"intValue":\d/);
  expect(text).not.toContain('"kind":0');
  expect(text).not.toContain('"attributes":[]');
  expect(text).not.toContain('"events":[]');
  expect(text).not.toContain('"status":{}');
});
