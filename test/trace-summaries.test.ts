/**
 * An import builds its trace summaries (traces, trace_services) in memory from
 * the spans it inserts, falling back to SQL where memory cannot be sure. These
 * tests hold that to the SQL recompute (refreshJobTraces), which reads every
 * span back: on every fixture, on fixtures that share traces imported into one
 * store, on partial traces, and past the builder's memory limit.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../src/storage/database.ts";
import { openStore } from "../src/storage/database.ts";
import { SpanWriter } from "../src/storage/spans/span-writer.ts";
import { refreshJobTraces } from "../src/storage/traces/refresh-trace-summaries.ts";
import { TraceSummaryBuilder } from "../src/storage/traces/trace-summary-builder.ts";
import type { NormalisedSpan } from "../src/formats/types.ts";
import { createTestContext, type TestContext } from "./helpers/context.ts";
import { fixturePath, fixturesOf } from "./helpers/fixtures.ts";

type Snapshot = { traces: unknown[]; services: unknown[] };

function snapshot(store: Store): Snapshot {
  return {
    traces: store.sqlite.query("SELECT trace_id, CAST(start_ns AS TEXT) AS start_ns, CAST(end_ns AS TEXT) AS end_ns, span_count, error_count, root_service, root_name FROM traces ORDER BY trace_id").all(),
    services: store.sqlite.query("SELECT * FROM trace_services ORDER BY trace_id, service").all(),
  };
}

/** The summaries as they are, then as the SQL recompute of every job makes them. */
function againstSql(store: Store): { built: Snapshot; sql: Snapshot } {
  const built = snapshot(store);
  store.sqlite.exec("DELETE FROM traces; DELETE FROM trace_services;");
  for (const { job_id } of store.sqlite.query("SELECT DISTINCT job_id FROM spans").all() as { job_id: string }[]) refreshJobTraces(store, job_id);
  return { built, sql: snapshot(store) };
}

const accepted = [...fixturesOf("otlp"), ...fixturesOf("jaeger"), ...fixturesOf("zipkin")].filter(([rel]) => !rel.includes("/invalid/"));
const contexts: TestContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.dispose();
});

describe("summaries built during the import equal the SQL recompute", () => {
  for (const [rel] of accepted) {
    test(rel, async () => {
      const ctx = createTestContext({ workers: 1 });
      contexts.push(ctx);
      const done = await ctx.settled(ctx.importFile(fixturePath(rel)).id);
      expect(done.status).toBe("completed");
      const { built, sql } = againstSql(ctx.store);
      expect(built).toEqual(sql);
    });
  }

  test("every fixture into one store, one after another (shared traces take the SQL path)", async () => {
    const ctx = createTestContext({ workers: 1 });
    contexts.push(ctx);
    for (const [rel] of accepted) expect((await ctx.settled(ctx.importFile(fixturePath(rel)).id)).status).toBe("completed");
    const { built, sql } = againstSql(ctx.store);
    expect(built).toEqual(sql);
  });

  test("a trace completed by a second file, partial traces with orphan roots, roots without a start time", async () => {
    const ctx = createTestContext({ workers: 1 });
    contexts.push(ctx);
    const span = (trace: string, id: string, parent: string | null, start: number | null, service: string, extra: Record<string, unknown> = {}) => ({
      resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
      scopeSpans: [{ spans: [{ traceId: trace.repeat(32), spanId: id.repeat(16), ...(parent ? { parentSpanId: parent.repeat(16) } : {}), name: `op-${id}`, ...(start === null ? {} : { startTimeUnixNano: String(start), endTimeUnixNano: String(start + 50) }), ...extra }] }],
    });
    const line = (...spans: unknown[]) => JSON.stringify({ resourceSpans: spans });
    const first = join(ctx.dataDir, "first.jsonl");
    writeFileSync(
      first,
      [
        line(span("a", "1", null, 1000, "front"), span("a", "2", "1", 1010, "back", { status: { code: 2 } })), // whole trace
        line(span("b", "3", "9", 2000, "back"), span("b", "4", "3", 2010, "db")), // orphan root: parent 9 is elsewhere
        line(span("c", "5", "5", 3000, "self")), // self-parented root
        line(span("d", "6", null, null, "nostart"), span("d", "7", null, 4000, "later")), // NULL start sorts first
        line(span("e", "8", "a", 5000, "tail")), // will get its root from the second file
      ].join("\n"),
    );
    const second = join(ctx.dataDir, "second.jsonl");
    writeFileSync(second, [line(span("e", "a", null, 4900, "head")), line(span("b", "9", null, 1990, "front"))].join("\n"));
    expect((await ctx.settled(ctx.importFile(first).id)).status).toBe("completed");
    const afterFirst = againstSql(ctx.store);
    expect(afterFirst.built).toEqual(afterFirst.sql);
    expect((afterFirst.built.traces as { trace_id: string; root_name: string | null }[]).map((t) => [t.trace_id[0], t.root_name])).toEqual([
      ["a", "op-1"], ["b", "op-3"], ["c", "op-5"], ["d", "op-6"], ["e", "op-8"],
    ]);
    expect((await ctx.settled(ctx.importFile(second).id)).status).toBe("completed");
    const afterSecond = againstSql(ctx.store);
    expect(afterSecond.built).toEqual(afterSecond.sql);
    const roots = Object.fromEntries((afterSecond.built.traces as { trace_id: string; root_name: string | null; span_count: number }[]).map((t) => [t.trace_id[0], [t.root_name, t.span_count]]));
    expect(roots).toEqual({ a: ["op-1", 2], b: ["op-9", 3], c: ["op-5", 1], d: ["op-6", 2], e: ["op-a", 2] });
  });
});

test("past its memory limit the builder leaves the whole job to SQL, with the same result", () => {
  const store = openStore(":memory:");
  const writer = new SpanWriter(store);
  const builder = new TraceSummaryBuilder(3);
  const spans: NormalisedSpan[] = Array.from({ length: 10 }, (_, i) => ({
    traceId: String(i % 5).repeat(32), spanId: String(i).padStart(16, "0"), parentSpanId: i < 5 ? null : String(i - 5).padStart(16, "0"),
    name: `s${i}`, kind: 1, service: `svc${i % 2}`, startNs: BigInt(1000 + i), endNs: BigInt(2000 + i), statusCode: i === 7 ? 2 : 0,
    statusMessage: null, traceState: null, flags: null, attributes: [], events: [], links: [], resource: [], scope: null, resourceSchemaUrl: null, scopeSchemaUrl: null, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  }));
  const rows = spans.flatMap((s) => [s.traceId, s.spanId, s.parentSpanId, s.name, s.kind, s.service, s.startNs, s.endNs, s.statusCode, null, null, null, "[]", "[]", "[]", "[]", null, null, null, 0, 0, 0]);
  expect(writer.writeRows(rows, "job", builder.add.bind(builder))).toBe(10);
  builder.write(store, "job");
  const { built, sql } = againstSql(store);
  expect(built.traces.length).toBe(5);
  expect(built).toEqual(sql);
  store.close();
});

test("a trace with more services than the builder's per-trace mask holds, and times beyond int64, match the SQL recompute", () => {
  const store = openStore(":memory:");
  const writer = new SpanWriter(store);
  const builder = new TraceSummaryBuilder();
  // 40 services in one trace (past the 32 of the mask), spans sharing a start
  // time (the root is then the lowest span id), and a start time past 2^63,
  // which SQLite stores wrapped to a signed 64-bit integer.
  const rows = Array.from({ length: 80 }, (_, i) => [
    (i % 2 ? "b" : "a").repeat(32), String(80 - i).padStart(16, "0"), i % 3 === 0 ? null : "f".repeat(16), `op-${i}`, 1, `svc-${i % 40}`,
    i === 5 ? 2n ** 63n + 7n : 1000n + BigInt(i % 4), i === 9 ? null : 5000n + BigInt(i), i % 11 === 0 ? 2 : 0,
    null, null, null, "[]", "[]", "[]", "[]", null, null, null, 0, 0, 0,
  ]).flat();
  expect(writer.writeRows(rows, "job", builder.add.bind(builder))).toBe(80);
  builder.write(store, "job");
  const { built, sql } = againstSql(store);
  expect(built.traces.length).toBe(2);
  expect(built.services.length).toBe(40);
  expect(built).toEqual(sql);
  store.close();
});
