/**
 * Every fixture file imported over HTTP into a traceport process run by
 * TRACEPORT_TEST_RUNTIME, with exact counts: the real files of
 * test/fixtures/traces (OTLP JSON, OTLP JSON Lines, Jaeger, Zipkin) and the
 * generated ones (protobuf, length-prefixed protobuf streams, zstd, gzip).
 *
 * One server for all of them: each job is deleted with its spans before the
 * next file, so every file lands in an empty store and `inserted` is exact.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXPECTED, FIXTURES_DIR, fixturePath, fixturesOf } from "../helpers/fixtures.ts";
import { settled, uploadForm, uploadRaw, type JobJson } from "../helpers/remote.ts";
import { selectedRuntime, startServerProcess, stopAllServerProcesses, type ServerProcess } from "../helpers/server-process.ts";

const runtime = selectedRuntime();
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({ args: ["--workers", "2"] });
}, 90_000);
afterAll(() => stopAllServerProcesses());

interface Want {
  format: string;
  compression: string | null;
  traces: number;
  spans: number;
  unique_spans?: number;
  services: string[];
}

const real: [string, Want][] = [...fixturesOf("otlp"), ...fixturesOf("jaeger"), ...fixturesOf("zipkin")]
  .filter(([rel]) => !rel.includes("/invalid/"))
  .map(([rel, w]) => [rel, { format: rel.startsWith("otlp/") ? (rel.endsWith(".jsonl") ? "otlp-jsonl" : "otlp-json") : rel.split("/")[0]!, compression: null, traces: w.traces!, spans: w.spans!, unique_spans: w.unique_spans, services: w.services! }]);
const generatedCounts = JSON.parse(readFileSync(join(FIXTURES_DIR, "generated", "expected-counts.json"), "utf8")) as Record<string, Want>;
const generated: [string, Want][] = Object.entries(generatedCounts).map(([name, w]) => [`generated/${name}`, w]);

/** Imports one file into the (empty) store, checks the report exactly, then deletes the job and its spans again. */
async function importExactly(rel: string, want: Want, via: "raw" | "form"): Promise<JobJson> {
  let id: string;
  if (via === "raw") id = await uploadRaw(server.base, fixturePath(rel));
  else {
    const res = await uploadForm(server.base, fixturePath(rel));
    expect(res.status).toBe(202);
    id = ((await res.json()) as JobJson).id;
  }
  const job = await settled(server.base, id);
  expect({ rel, status: job.status, error: job.error }).toEqual({ rel, status: "completed", error: null });
  const r = job.result!;
  const unique = want.unique_spans ?? want.spans;
  expect({ rel, format: r.format, traces: r.traces, spans: r.spans, inserted: r.inserted, duplicates: r.duplicates, errors: r.errors, services: r.services }).toEqual({
    rel,
    format: want.format,
    traces: want.traces,
    spans: want.spans,
    inserted: unique,
    duplicates: want.spans - unique,
    errors: 0,
    services: [...want.services].sort(),
  });
  if (want.compression !== null) expect((r as unknown as { compression: string }).compression).toBe(want.compression);
  const traces = (await (await fetch(`${server.base}/api/traces?job=${id}&limit=500`)).json()) as { traces: { spanCount: number }[] };
  expect(traces.traces.length).toBe(want.traces);
  expect(traces.traces.reduce((n, t) => n + t.spanCount, 0)).toBe(unique);
  const del = await fetch(`${server.base}/api/jobs/${id}?spans=true`, { method: "DELETE" });
  expect(del.status).toBe(200);
  expect(await del.json()).toEqual({ deleted: id, spansDeleted: unique });
  return job;
}

describe(`traceport under ${runtime}: imports of every fixture format, exact counts`, () => {
  test("the fixture sets are all there", () => {
    for (const folder of ["otlp/", "jaeger/", "zipkin/"]) expect(real.filter(([rel]) => rel.startsWith(folder)).length).toBeGreaterThan(5);
    expect(real.some(([rel]) => rel.endsWith(".jsonl"))).toBe(true);
    const formats = new Set(generated.map(([, w]) => `${w.format}/${w.compression}`));
    for (const f of ["otlp-proto/null", "otlp-proto-stream/null", "otlp-proto/gzip", "otlp-proto-stream/gzip", "otlp-proto-stream/zstd", "otlp-jsonl/zstd", "otlp-json/zstd", "zipkin/null"]) expect(formats).toContain(f);
  });

  test("real files (OTLP JSON documents, OTLP JSON Lines, Jaeger, Zipkin), uploaded as raw bodies", async () => {
    for (const [rel, want] of real) await importExactly(rel, want, "raw");
  }, 90_000);

  test("generated files (protobuf, length-prefixed protobuf streams, zstd, gzip, Collector JSON Lines), uploaded as multipart forms", async () => {
    for (const [rel, want] of generated) await importExactly(rel, want, "form");
  }, 90_000);

  test("after the deletes the store is empty again", async () => {
    expect(((await (await fetch(`${server.base}/api/traces`)).json()) as { traces: unknown[] }).traces).toEqual([]);
  });
});

describe(`traceport under ${runtime}: bad files`, () => {
  test("a malformed file fails its own job with a clear error; the server keeps serving and importing", async () => {
    const bad = await settled(server.base, await uploadRaw(server.base, fixturePath("otlp/invalid/otlp2parquet-malformed.json")));
    expect(bad.status).toBe("failed");
    expect(bad.error).toBe('Invalid JSON at line 21, column 15: unexpected "/"');
    expect(bad.details).toContain("line 21");
    expect(bad.result).toBeNull();
    expect(((await (await fetch(`${server.base}/api/traces?job=${bad.id}`)).json()) as { traces: unknown[] }).traces).toEqual([]);

    // An empty file: as a raw body there is nothing to take (400); in a form it is a job that fails.
    const emptyRaw = await fetch(`${server.base}/api/imports`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Bun.file(fixturePath("jaeger/invalid/anonymizer-empty.json")) });
    expect(emptyRaw.status).toBe(400);
    expect(((await emptyRaw.json()) as { error: string }).error).toBe("Empty request body");
    const emptyForm = await uploadForm(server.base, fixturePath("jaeger/invalid/anonymizer-empty.json"));
    expect(emptyForm.status).toBe(202);
    const empty = await settled(server.base, ((await emptyForm.json()) as JobJson).id);
    expect([empty.status, empty.error]).toEqual(["failed", "The file is empty"]);
    const csv = await fetch(`${server.base}/api/imports?name=data.csv`, { method: "POST", headers: { "content-type": "text/plain" }, body: "a,b\n1,2\n" });
    const notTraces = await settled(server.base, ((await csv.json()) as { id: string }).id);
    expect([notTraces.status, notTraces.error]).toEqual(["failed", "Not a recognised trace file: its content is neither JSON nor OTLP protobuf"]);

    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    const rel = "zipkin/lens-messaging-kafka.json";
    const ok = await settled(server.base, await uploadRaw(server.base, fixturePath(rel)));
    expect([ok.status, ok.result!.spans]).toEqual(["completed", EXPECTED[rel]!.spans!]);
  });
});
