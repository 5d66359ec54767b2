/** Import behaviour beyond the fixtures: gzip, forced formats, bad lines, strict mode. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { ImportResult } from "../src/import/import-task.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { createTestContext, type TestContext } from "./helpers/context.ts";
import { EXPECTED, fixturePath } from "./helpers/fixtures.ts";

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.dispose());

test("a gzip-compressed file of each format imports the same as the plain file", async () => {
  for (const rel of ["otlp/kiali-tempo-batches.json", "otlp/otlp2parquet-traces.jsonl", "jaeger/jaeger-ui-genai-57-spans.json", "zipkin/lens-yelp.json"]) {
    const gz = join(ctx.dataDir, rel.replaceAll("/", "_") + ".gz");
    await Bun.write(gz, Bun.gzipSync(await Bun.file(fixturePath(rel)).bytes()));
    const own = createTestContext();
    const done = await own.settled(own.importFile(gz).id);
    await own.dispose();
    const r = done.result as ImportResult;
    expect(r.gzip).toBe(true);
    expect(r.spans).toBe(EXPECTED[rel]!.spans!);
    expect(r.traces).toBe(EXPECTED[rel]!.traces!);
    expect(r.bytes).toBe(Bun.file(gz).size); // progress and size are the compressed bytes
  }
});

test("corrupt gzip fails its job with a clear error", async () => {
  const gz = join(ctx.dataDir, "bad.json.gz");
  const full = Bun.gzipSync(await Bun.file(fixturePath("otlp/kiali-tempo-batches.json")).bytes());
  await Bun.write(gz, full.subarray(0, Math.floor(full.length / 2)));
  const done = await ctx.settled(ctx.importFile(gz).id);
  expect(done.status).toBe("failed");
  expect(done.error).toMatch(/gzip|ends early|Invalid JSON/);
});

test("a bad line in JSON Lines is skipped and reported by line number; the rest is imported", async () => {
  const lines = (await Bun.file(fixturePath("otlp/otlp2parquet-traces.jsonl")).text()).trimEnd().split("\n");
  lines.splice(4, 0, '{"resourceSpans": [ broken');
  lines.splice(9, 0, '{"resourceLogs": []}');
  const file = join(ctx.dataDir, "bad-lines.jsonl");
  await Bun.write(file, lines.join("\n") + "\n");
  const done = await ctx.settled(ctx.importFile(file).id);
  expect(done.status).toBe("completed");
  const r = done.result as ImportResult;
  expect(r.spans).toBe(19);
  expect(r.errors).toBe(2);
  expect(r.samples.map((s) => s.line)).toEqual([5, 10]);
  expect(r.samples[0]!.message).toContain("invalid JSON");
  expect(r.samples[1]!.message).toContain("no resourceSpans");
});

test("strict mode fails on the first bad line and keeps nothing", async () => {
  const lines = (await Bun.file(fixturePath("otlp/otlp2parquet-traces.jsonl")).text()).trimEnd().split("\n");
  lines.splice(12, 0, "not json");
  const file = join(ctx.dataDir, "strict.jsonl");
  await Bun.write(file, lines.join("\n") + "\n");
  const done = await ctx.settled(ctx.importFile(file, { strict: true }).id);
  expect(done.status).toBe("failed");
  expect(done.error).toContain("line 13");
  expect(countSpans(ctx.store, done.id)).toBe(0);
});

test("the format option overrides detection", async () => {
  const forced = await ctx.settled(ctx.importFile(fixturePath("zipkin/lens-messaging.json"), { format: "jaeger" }).id);
  expect(forced.status).toBe("failed");
  expect(forced.error).toContain("No spans could be imported");
  const right = await ctx.settled(ctx.importFile(fixturePath("zipkin/lens-messaging.json"), { format: "zipkin" }).id);
  expect(right.status).toBe("completed");
});

test("a CSV file and trailing garbage fail with clear errors", async () => {
  const csv = join(ctx.dataDir, "data.csv");
  await Bun.write(csv, "trace,span\n1,2\n");
  expect((await ctx.settled(ctx.importFile(csv).id)).error).toBe("Not a recognised trace file: its content is neither JSON nor OTLP protobuf");
  const trailing = join(ctx.dataDir, "trailing.json");
  await Bun.write(trailing, (await Bun.file(fixturePath("otlp/proto-example.json")).text()) + "\n{}\n");
  const done = await ctx.settled(ctx.importFile(trailing).id);
  expect(done.status).toBe("failed");
  expect(done.error).toContain("after the end of the JSON document");
});
