/**
 * The trace query and export API, and the export round trip: for every
 * accepted fixture, import → export each trace as OTLP JSON → import that into
 * a fresh store gives identical spans.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { ImportResult } from "../src/import/import-task.ts";
import { EXPECTED, fixturePath, fixturesOf } from "./helpers/fixtures.ts";
import { createTestContext } from "./helpers/context.ts";
import { startTestServer, upload, type TestServer } from "./helpers/server.ts";
import type { Store } from "../src/storage/database.ts";

const accepted = [...fixturesOf("otlp"), ...fixturesOf("jaeger"), ...fixturesOf("zipkin")].filter(([rel]) => !rel.includes("/invalid/"));

function allSpans(store: Store) {
  return store.sqlite
    .query(
      `SELECT trace_id, span_id, parent_span_id, name, kind, service, CAST(start_ns AS TEXT) AS start_ns, CAST(end_ns AS TEXT) AS end_ns,
         status_code, status_message, trace_state, flags, attributes, events, links, resource, scope,
         resource_schema_url, scope_schema_url, dropped_attributes_count, dropped_events_count, dropped_links_count
       FROM spans ORDER BY trace_id, span_id`,
    )
    .all();
}

async function settledVia(base: string, id: string) {
  for (let i = 0; i < 500; i++) {
    const job = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as { status: string; result: ImportResult; error: string | null };
    if (job.status !== "queued" && job.status !== "running") return job;
    await Bun.sleep(10);
  }
  throw new Error("job did not finish");
}

describe("export round trip", () => {
  for (const [rel, want] of accepted) {
    test(rel, async () => {
      const a = startTestServer({ workers: 1 });
      const b = createTestContext({ workers: 1 });
      try {
        const job = await settledVia(a.url, (await upload(a.url, fixturePath(rel))).id);
        expect(job.status).toBe("completed");
        const list = (await (await fetch(`${a.url}/api/traces?limit=500`)).json()) as { traces: { traceId: string }[] };
        expect(list.traces.length).toBe(want.traces!);
        // Every trace exported as one OTLP request per line.
        const lines: string[] = [];
        for (const t of list.traces) {
          const res = await fetch(`${a.url}/api/traces/${t.traceId}?format=otlp`);
          expect(res.status).toBe(200);
          lines.push(JSON.stringify(await res.json()));
        }
        if (lines.length > 0) {
          const exported = join(a.dataDir, "export.jsonl");
          await Bun.write(exported, lines.join("\n") + "\n");
          const again = await b.settled(b.importFile(exported).id);
          expect(again.error).toBeNull();
          expect((again.result as ImportResult).errors).toBe(0);
        }
        expect(allSpans(b.store)).toEqual(allSpans(a.ctx.store));
        expect(allSpans(b.store).length).toBe(want.unique_spans ?? want.spans!);
      } finally {
        await a.dispose();
        await b.dispose();
      }
    });
  }
});

describe("GET /api/traces", () => {
  let server: TestServer;
  const files = [
    "jaeger/jaeger-ui-genai-57-spans.json",
    "otlp/jaeger-events-links-status.json",
    "otlp/otlp2parquet-traces.jsonl",
    "otlp/ottl-playground-self-parent.json",
    "zipkin/lens-yelp.json",
  ];
  type Row = { traceId: string; rootService: string | null; rootName: string | null; start: string; startTimeUnixNano: string; durationMs: number; spanCount: number; errorCount: number; services: string[] };
  const list = async (q = "") => (await (await fetch(`${server.url}/api/traces?${q}`)).json()) as { traces: Row[]; nextCursor: string | null };

  beforeAll(async () => {
    server = startTestServer();
    for (const f of files) expect((await settledVia(server.url, (await upload(server.url, fixturePath(f))).id)).status).toBe("completed");
  });
  afterAll(() => server.dispose());

  test("lists every trace once, newest first, with its summary", async () => {
    const { traces } = await list("limit=500");
    const total = files.reduce((n, f) => n + EXPECTED[f]!.traces!, 0);
    expect(traces.length).toBe(total);
    const starts = traces.map((t) => BigInt(t.startTimeUnixNano));
    for (let i = 1; i < starts.length; i++) expect(starts[i]! <= starts[i - 1]!).toBe(true);
    const genai = traces.find((t) => t.services.includes("coding-agent"))!;
    expect(genai.spanCount).toBe(57);
    expect(genai.services).toEqual(EXPECTED["jaeger/jaeger-ui-genai-57-spans.json"]!.services!);
    expect(genai.durationMs).toBeGreaterThan(0);
    const yelp = traces.find((t) => t.services.includes("yelp-main"))!;
    expect(yelp.spanCount).toBe(13); // 16 records, 3 shared ids stored once
  });

  test("filters by service, span name, errors, duration and time; combined", async () => {
    expect((await list("service=service-x")).traces.length).toBe(2);
    expect((await list("service=nope")).traces.length).toBe(0);
    const named = await list(`name=${encodeURIComponent("product-catalog.execute")}`);
    expect(named.traces.length).toBeGreaterThan(0);
    expect(named.traces.every((t) => t.services.includes("product-catalog"))).toBe(true);
    const errors = await list("errors=true&limit=500");
    expect(errors.traces.length).toBeGreaterThan(0);
    expect(errors.traces.every((t) => t.errorCount > 0)).toBe(true);
    const all = (await list("limit=500")).traces;
    const slowest = Math.max(...all.map((t) => t.durationMs));
    const slow = await list(`minDuration=${slowest}ms&limit=500`);
    expect(slow.traces.map((t) => t.durationMs)).toEqual([slowest]);
    const newest = all[0]!;
    const since = await list(`from=${encodeURIComponent(newest.start)}&limit=500`);
    expect(since.traces.map((t) => t.traceId)).toContain(newest.traceId);
    expect(since.traces.every((t) => Date.parse(t.start) >= Date.parse(newest.start))).toBe(true);
    const until = await list(`to=${Date.parse("2000-01-01")}`);
    expect(until.traces.length).toBe(0);
    expect((await list("service=service-x&errors=true")).traces.length).toBe(2);
  });

  test("pages with a cursor through exactly the full list", async () => {
    const full = (await list("limit=500")).traces.map((t) => t.traceId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { traces: Row[]; nextCursor: string | null } = await list(`limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.traces.map((t) => t.traceId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(full);
  });

  test("bad query values are 400", async () => {
    for (const q of ["minDuration=soon", "from=yesterday", "errors=maybe", "limit=0", "cursor=garbage"]) {
      expect((await fetch(`${server.url}/api/traces?${q}`)).status).toBe(400);
    }
  });

  test("GET /api/traces/:id gives the spans in tree order with depths", async () => {
    const genai = (await list("service=coding-agent")).traces[0]!;
    const trace = (await (await fetch(`${server.url}/api/traces/${genai.traceId}`)).json()) as { spans: { spanId: string; parentSpanId: string | null; depth: number }[] };
    expect(trace.spans.length).toBe(57);
    expect(trace.spans[0]!.depth).toBe(0);
    expect(Math.max(...trace.spans.map((s) => s.depth)) + 1).toBe(EXPECTED["jaeger/jaeger-ui-genai-57-spans.json"]!.max_depth!);
    // Every span comes after its parent.
    const seen = new Set<string>();
    for (const s of trace.spans) {
      if (s.parentSpanId && s.depth > 0) expect(seen.has(s.parentSpanId)).toBe(true);
      seen.add(s.spanId);
    }
  });

  test("a self-parented span is a root, not a loop", async () => {
    const t = (await list("service=my.service")).traces[0]!;
    expect(t.rootName).toBeTruthy();
    const trace = (await (await fetch(`${server.url}/api/traces/${t.traceId}`)).json()) as { spans: { depth: number }[] };
    expect(trace.spans.map((s) => s.depth)).toEqual([0, 1]);
  });

  test("unknown trace is 404; unknown export format is 400", async () => {
    expect((await fetch(`${server.url}/api/traces/ffffffffffffffffffffffffffffffff`)).status).toBe(404);
    const any = (await list()).traces[0]!;
    expect((await fetch(`${server.url}/api/traces/${any.traceId}?format=xml`)).status).toBe(400);
  });

  test("GET /api/services lists the services of the stored spans", async () => {
    const { services } = (await (await fetch(`${server.url}/api/services`)).json()) as { services: string[] };
    const fromTraces = [...new Set((await list("limit=500")).traces.flatMap((t) => t.services))].sort();
    expect(services).toEqual(fromTraces);
    // Zipkin's shared server halves are duplicates of their client span ids and are not
    // stored, so only the non-Zipkin files are checked name by name.
    for (const f of files.filter((x) => !x.startsWith("zipkin/"))) for (const s of EXPECTED[f]!.services!) expect(services).toContain(s);
    expect(services).toContain("yelp-main");
  });
});
