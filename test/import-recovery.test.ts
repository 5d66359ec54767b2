/**
 * A crash mid-import leaves a `running` job and part of its spans. On the next
 * start the job runs again from the beginning and ends with exactly the
 * file's spans: nothing duplicated, nothing lost.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../src/context.ts";
import { claimNextJob } from "../src/storage/jobs/claim-next-job.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { SpanWriter } from "../src/storage/spans/span-writer.ts";
import type { ImportResult } from "../src/import/import-task.ts";
import { silentLogger } from "../src/util/logger.ts";
import { createTestContext } from "./helpers/context.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";

test("a re-run after a crash does not duplicate spans", async () => {
  const dir = mkdtempSync(join(tmpdir(), "traceport-recovery-"));
  try {
    const file = join(dir, "input.jsonl");
    const { spans } = await writeOtlpJsonLines(file, { spans: 5000 });

    // The crashed process: the job was claimed and wrote its first 1,200 spans.
    const crashed = createContext({ dataDir: dir, workers: 1, logger: silentLogger });
    const job = crashed.queue.enqueue({ kind: "import", input: { path: file, name: "input.jsonl", size: Bun.file(file).size, format: "auto" }, options: {} });
    expect(claimNextJob(crashed.store)!.id).toBe(job.id);
    const partial = createTestContext();
    const half = await partial.settled(partial.importFile(file).id);
    expect(half.status).toBe("completed");
    const rows = partial.store.sqlite.query("SELECT trace_id, span_id, parent_span_id, name, kind, service FROM spans LIMIT 1200").all() as Record<string, unknown>[];
    expect(rows.length).toBe(1200);
    const writer = new SpanWriter(crashed.store);
    writer.write(
      rows.map((r) => ({
        traceId: r.trace_id as string,
        spanId: r.span_id as string,
        parentSpanId: r.parent_span_id as string | null,
        name: r.name as string,
        kind: r.kind as number,
        service: r.service as string,
        startNs: null,
        endNs: null,
        statusCode: 0,
        statusMessage: null,
        traceState: null,
        flags: null,
        attributes: [],
        events: [],
        links: [],
        resource: [],
        scope: null,
        resourceSchemaUrl: null,
        scopeSchemaUrl: null,
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      })),
      job.id,
    );
    await partial.dispose();
    crashed.store.close(); // no clean shutdown

    const restarted = createTestContext({ dataDir: dir, workers: 1 });
    const done = await restarted.settled(job.id);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(2);
    const r = done.result as ImportResult;
    expect(r.spans).toBe(spans);
    expect(r.inserted).toBe(spans);
    expect(r.duplicates).toBe(0);
    expect(countSpans(restarted.store)).toBe(spans);
    await restarted.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
