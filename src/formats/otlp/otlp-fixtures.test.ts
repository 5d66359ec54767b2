/**
 * Every OTLP file in ../shared/fixtures/traces/otlp goes through the real
 * import task (runner, reader, SQLite) and must report the counts that
 * expected-counts.json gives; the files under invalid/ must fail clearly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ImportResult } from "../../import/import-task.ts";
import { countSpans } from "../../storage/spans/count-spans.ts";
import { fixturePath, fixturesOf } from "../../../test/helpers/fixtures.ts";
import { createTestContext, type TestContext } from "../../../test/helpers/context.ts";

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.dispose());

const all = fixturesOf("otlp");

test("the OTLP fixtures are there", () => {
  expect(all.length).toBeGreaterThanOrEqual(15);
});

describe("accepted OTLP files", () => {
  for (const [rel, want] of all.filter(([rel]) => !rel.includes("/invalid/"))) {
    test(`${rel} (${want.expect})`, async () => {
      // A fresh store per file: several fixtures share spans with each other.
      const own = createTestContext({ workers: 1 });
      const job = own.importFile(fixturePath(rel));
      const done = await own.settled(job.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      const r = done.result as ImportResult;
      expect(r.format).toBe(rel.endsWith(".jsonl") ? "otlp-jsonl" : "otlp-json");
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

describe("invalid OTLP files fail with a clear error", () => {
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
  test("ids that are neither hex nor base64 are named", async () => {
    const done = await ctx.settled(ctx.importFile(fixturePath("otlp/invalid/otlp2parquet-non-hex-non-base64-ids.json")).id);
    expect(done.error).toContain("neither hex nor base64");
    expect(done.error).toContain("$.resourceSpans[0].scopeSpans[0].spans[0]");
  });
});
