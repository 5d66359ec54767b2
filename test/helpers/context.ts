import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createContext, jobTopic, type AppContext } from "../../src/context.ts";
import type { Job, JobEvent } from "../../src/jobs/types.ts";
import { isTerminal } from "../../src/jobs/types.ts";
import { getJob } from "../../src/storage/jobs/get-job.ts";
import { toJob } from "../../src/storage/jobs/job-mapper.ts";
import { silentLogger } from "../../src/util/logger.ts";

export interface TestContext extends AppContext {
  dataDir: string;
  /** Enqueues an import of a file on disk (absolute path) and returns the job. */
  importFile(path: string, opts?: { format?: string; strict?: boolean }): Job;
  /** Resolves with the job once it reaches a terminal state. */
  settled(id: string, timeoutMs?: number): Promise<Job>;
  dispose(): Promise<void>;
}

export function createTestContext(opts: { workers?: number; progressIntervalMs?: number; dataDir?: string } = {}): TestContext {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "traceport-test-"));
  const ctx = createContext({ dataDir, workers: opts.workers ?? 2, logger: silentLogger, progressIntervalMs: opts.progressIntervalMs });
  ctx.runner.start();
  const job = (id: string) => toJob(getJob(ctx.store, id)!);
  return {
    ...ctx,
    dataDir,
    importFile(path, o = {}) {
      return ctx.queue.enqueue({
        kind: "import",
        input: { path, name: basename(path), size: Bun.file(path).size, format: o.format ?? "auto" },
        options: { strict: o.strict === true },
      });
    },
    settled(id, timeoutMs = 20_000) {
      return new Promise<Job>((resolve, reject) => {
        const now = job(id);
        if (isTerminal(now.status)) return resolve(now);
        const timer = setTimeout(() => {
          off();
          reject(new Error(`job ${id} did not finish within ${timeoutMs} ms (status ${job(id).status})`));
        }, timeoutMs);
        const off = ctx.broker.subscribe(jobTopic(id), (e: JobEvent) => {
          if (e.type === "progress") return;
          clearTimeout(timer);
          off();
          resolve(job(id));
        });
      });
    },
    async dispose() {
      await ctx.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
