/**
 * Every file in test/fixtures/traces (copied from public projects) goes through the real import task
 * (runner, detection, reader, SQLite) and must report the counts that
 * expected-counts.json gives; the files under invalid/ must fail clearly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ImportResult } from "../src/import/import-task.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { fixturePath, fixturesOf } from "./helpers/fixtures.ts";
import { createTestContext, type TestContext } from "./helpers/context.ts";

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.dispose());

const all = [...fixturesOf("otlp"), ...fixturesOf("jaeger"), ...fixturesOf("zipkin")];

test("the fixtures are there", () => {
  expect(fixturesOf("otlp").length).toBeGreaterThanOrEqual(19);
  expect(fixturesOf("jaeger").length).toBeGreaterThanOrEqual(12);
  expect(fixturesOf("zipkin").length).toBeGreaterThanOrEqual(14);
});

function formatOf(rel: string): string {
  if (rel.startsWith("otlp/")) return rel.endsWith(".jsonl") ? "otlp-jsonl" : "otlp-json";
  return rel.split("/")[0]!;
}

describe("accepted files", () => {
  for (const [rel, want] of all.filter(([rel]) => !rel.includes("/invalid/"))) {
    test(`${rel} (${want.expect})`, async () => {
      // A fresh store per file: several fixtures share spans with each other.
      const own = createTestContext({ workers: 1 });
      const job = own.importFile(fixturePath(rel));
      const done = await own.settled(job.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      const r = done.result as ImportResult;
      expect(r.format).toBe(formatOf(rel));
      expect(r.traces).toBe(want.traces!);
      expect(r.spans).toBe(want.spans!);
      expect(r.inserted).toBe(want.unique_spans ?? want.spans!);
      expect(r.duplicates).toBe(want.spans! - (want.unique_spans ?? want.spans!));
      expect(r.services).toEqual([...want.services!].sort());
      expect(r.errors).toBe(0);
      expect(countSpans(own.store, job.id)).toBe(r.inserted);
      await own.dispose();
    });
  }
});

test("the same file imported twice inserts nothing the second time", async () => {
  const path = fixturePath("otlp/jaeger-three-services-events.json");
  const first = await ctx.settled(ctx.importFile(path).id);
  const second = await ctx.settled(ctx.importFile(path).id);
  // The first may have been imported already by the loop above; the second never inserts.
  expect((first.result as ImportResult).spans).toBe(5);
  expect((second.result as ImportResult).inserted).toBe(0);
  expect((second.result as ImportResult).duplicates).toBe(5);
});

test("odd id lengths import with warnings in lenient mode and fail in strict mode", async () => {
  const path = fixturePath("otlp/data-prepper-odd-id-lengths.json");
  const strict = await ctx.settled(ctx.importFile(path, { strict: true }).id);
  expect(strict.status).toBe("failed");
  expect(strict.error).toContain("Strict import stopped");
  expect(strict.error).toContain("$.resourceSpans[0]");
  expect(countSpans(ctx.store, strict.id)).toBe(0);
});

describe("invalid files fail with a clear error", () => {
  for (const [rel] of all.filter(([rel]) => rel.includes("/invalid/"))) {
    test(rel, async () => {
      const done = await ctx.settled(ctx.importFile(fixturePath(rel)).id);
      expect(done.status).toBe("failed");
      expect(done.error).toBeTruthy();
      expect(done.error!.length).toBeLessThan(300);
      expect(countSpans(ctx.store, done.id)).toBe(0);
    });
  }
  test("malformed JSON names the line and column", async () => {
    const done = await ctx.settled(ctx.importFile(fixturePath("otlp/invalid/otlp2parquet-malformed.json")).id);
    expect(done.error).toMatch(/^Invalid JSON at line \d+, column \d+/);
  });
  test("a trailing comma is reported where it is", async () => {
    const done = await ctx.settled(ctx.importFile(fixturePath("jaeger/invalid/anonymizer-trailing-comma.json")).id);
    expect(done.error).toBe('Invalid JSON at line 2, column 1: unexpected "]"');
  });
  test("a lone Jaeger span object is refused as not a trace file", async () => {
    const done = await ctx.settled(ctx.importFile(fixturePath("jaeger/invalid/anonymizer-bare-span-object.json")).id);
    expect(done.error).toContain("single span object");
  });
  test("an empty file says so", async () => {
    const done = await ctx.settled(ctx.importFile(fixturePath("jaeger/invalid/anonymizer-empty.json")).id);
    expect(done.error).toBe("The file is empty");
  });
  test("ids that are neither hex nor base64 are named", async () => {
    const done = await ctx.settled(ctx.importFile(fixturePath("otlp/invalid/otlp2parquet-non-hex-non-base64-ids.json")).id);
    expect(done.error).toContain("neither hex nor base64");
    expect(done.error).toContain("$.resourceSpans[0].scopeSpans[0].spans[0]");
  });
});
