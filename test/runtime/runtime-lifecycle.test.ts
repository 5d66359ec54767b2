/**
 * Shutdown and crashes of a traceport process run by TRACEPORT_TEST_RUNTIME:
 * SIGTERM mid-import, a second signal, kill -9 mid-import. The scenarios are
 * the binary test's (test/helpers/lifecycle-scenarios.ts); here the server runs
 * from source under the selected runtime, each scenario on a store of its own.
 */
import { afterAll, beforeAll, describe, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeOtlpJsonLines } from "../helpers/generate-otlp.ts";
import { secondSignal, sigkillMidImport, sigtermMidImport, type BigFile, type Launch } from "../helpers/lifecycle-scenarios.ts";
import { selectedRuntime, startServerProcess, stopAllServerProcesses } from "../helpers/server-process.ts";

const runtime = selectedRuntime();
let work: string;
let big: BigFile;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "traceport-lifecycle-"));
  const path = join(work, "big.jsonl");
  // About 5 s of importing under Bun on a 2-core machine: long enough to interrupt.
  big = { path, spans: (await writeOtlpJsonLines(path, { spans: 150_000, spansPerTrace: 25 })).spans };
}, 60_000);
afterAll(async () => {
  await stopAllServerProcesses();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Starts the server on the same fresh store every time it is called. */
function launcher(): Launch {
  const dataDir = mkdtempSync(join(work, "store-"));
  return (args = []) => startServerProcess({ dataDir, args });
}

describe(`traceport under ${runtime}: shutdown and crashes`, () => {
  test("SIGTERM mid-import: streams get retry: 1000, the job is requeued, exit 0 within 10 s; a restart completes it once with every span", async () => {
    await sigtermMidImport(launcher(), big);
  }, 120_000);

  test("a second signal exits at once, even while a slow upload holds the graceful stop", async () => {
    await secondSignal(launcher());
  }, 60_000);

  test("kill -9 mid-import: after a restart every job completes with exact counts, nothing lost, no duplicate span", async () => {
    await sigkillMidImport(launcher(), big);
  }, 180_000);
});
