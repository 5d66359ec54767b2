import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../../src/storage/database.ts";
import { getJob } from "../../../src/storage/jobs/get-job.ts";
import { toJob } from "../../../src/storage/jobs/job-mapper.ts";
import { claimNextJob } from "../../../src/storage/jobs/claim-next-job.ts";
import { listJobEventsAfter } from "../../../src/storage/jobs/list-job-events.ts";
import { TaskError } from "../../../src/util/errors.ts";
import { silentLogger } from "../../../src/util/logger.ts";
import { JobEventLog } from "../../../src/jobs/job-event-log.ts";
import { JobQueue } from "../../../src/jobs/job-queue.ts";
import { JobRunner } from "../../../src/jobs/runner.ts";
import type { TaskDefinition } from "../../../src/jobs/task.ts";
import type { JobEvent } from "../../../src/jobs/types.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(tasks: Record<string, TaskDefinition>, opts: { concurrency?: number; dir?: string; progressIntervalMs?: number } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "traceport-runner-"));
  const store = openStore(dir);
  const published: JobEvent[] = [];
  const events = new JobEventLog(store, (e) => published.push(e));
  const runner = new JobRunner({ store, events, tasks, concurrency: opts.concurrency ?? 1, logger: silentLogger, progressIntervalMs: opts.progressIntervalMs ?? 50 });
  const queue = new JobQueue(store, events, runner);
  cleanups.push(() => {
    store.close();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  });
  const enqueue = () => queue.enqueue({ kind: "t", input: null, options: {} });
  const settled = async (id: string) => {
    for (let i = 0; i < 500; i++) {
      const j = toJob(getJob(store, id)!);
      if (["completed", "failed", "cancelled"].includes(j.status)) return j;
      await Bun.sleep(5);
    }
    throw new Error("job did not settle");
  };
  return { dir, store, runner, enqueue, published, settled };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("JobRunner", () => {
  test("claims queued jobs in FIFO order, never more than the concurrency", async () => {
    const started: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const { runner, enqueue, settled } = setup(
      {
        t: {
          async run(_p, { job }) {
            started.push(job.id);
            maxRunning = Math.max(maxRunning, ++running);
            await Bun.sleep(15);
            running--;
            return null;
          },
        },
      },
      { concurrency: 2 },
    );
    const ids = Array.from({ length: 6 }, () => enqueue().id);
    runner.start();
    for (const id of ids) await settled(id);
    expect(started).toEqual(ids);
    expect(maxRunning).toBe(2);
  });

  test("progress is throttled, monotonic, and the last state before completion is kept", async () => {
    const { runner, enqueue, settled, published, store } = setup({
      t: {
        async run(_p, { progress }) {
          for (let i = 1; i <= 1000; i++) {
            progress({ bytesDone: i, bytesTotal: 1000, spans: i });
            if (i % 100 === 0) await Bun.sleep(10);
          }
          return { ok: true };
        },
      },
    });
    runner.start();
    const id = enqueue().id;
    const job = await settled(id);
    expect(job.status).toBe("completed");
    const mine = published.filter((e) => e.jobId === id);
    const running = mine.filter((e) => e.type === "progress" && e.data.status === "running");
    // 1000 reports in ~100 ms at one per 50 ms: a handful of events, not 1000.
    expect(running.length).toBeLessThan(10);
    const pcts = running.map((e) => e.data.progress);
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    const lastProgress = running.at(-1)!.data as { spans?: number };
    expect(lastProgress.spans).toBe(1000); // the trailing state was not dropped
    expect(mine.at(-1)!.type).toBe("completed");
    // What was published is exactly what the log holds.
    expect(listJobEventsAfter(store, id, 0).map((e) => e.id)).toEqual(mine.map((e) => e.id));
  });

  test("a queued job is cancelled at once; a finished one cannot be", async () => {
    const { runner, enqueue, store } = setup({ t: { run: async () => null } });
    const id = enqueue().id; // runner not started: stays queued
    const out = await runner.cancel(id);
    expect(out.kind).toBe("cancelled");
    expect(toJob(getJob(store, id)!).status).toBe("cancelled");
    expect(claimNextJob(store)).toBeUndefined();
    expect((await runner.cancel(id)).kind).toBe("finished");
    expect((await runner.cancel("nope")).kind).toBe("not-found");
  });

  test("a running job sees its AbortSignal, and discard runs", async () => {
    const entered = deferred();
    let discarded = "";
    const { runner, enqueue, settled } = setup({
      t: {
        async run(_p, { signal }) {
          entered.resolve();
          while (!signal.aborted) await Bun.sleep(5);
          signal.throwIfAborted();
        },
        discard(job) {
          discarded = job.id;
        },
      },
    });
    runner.start();
    const id = enqueue().id;
    await entered.promise;
    const t0 = performance.now();
    const out = await runner.cancel(id);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(out.kind).toBe("cancelled");
    expect((await settled(id)).status).toBe("cancelled");
    expect(discarded).toBe(id);
  });

  test("a thrown TaskError fails the job with its message and details; discard runs", async () => {
    let discarded = false;
    const { runner, enqueue, settled } = setup({
      t: {
        run: async () => {
          throw new TaskError("bad file", "line 3: nope");
        },
        discard: () => {
          discarded = true;
        },
      },
    });
    runner.start();
    const job = await settled(enqueue().id);
    expect(job.status).toBe("failed");
    expect(job.error).toBe("bad file");
    expect(job.details).toBe("line 3: nope");
    expect(discarded).toBe(true);
  });

  test("stop() interrupts running jobs, discards their work and puts them back in the queue", async () => {
    const entered = deferred();
    let discarded = 0;
    const { runner, enqueue, store } = setup({
      t: {
        async run(_p, { signal }) {
          entered.resolve();
          while (!signal.aborted) await Bun.sleep(5);
          signal.throwIfAborted();
        },
        discard: () => {
          discarded++;
        },
      },
    });
    runner.start();
    const id = enqueue().id;
    const waiting = enqueue().id;
    await entered.promise;
    await runner.stop();
    expect(toJob(getJob(store, id)!).status).toBe("queued");
    expect(toJob(getJob(store, id)!).state?.phase).toBe("requeued");
    expect(toJob(getJob(store, waiting)!).status).toBe("queued");
    expect(discarded).toBe(1);
    runner.wake(); // a stopped runner claims nothing
    expect(toJob(getJob(store, waiting)!).status).toBe("queued");
  });

  test("jobs a crash left running are queued again and re-run on start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "traceport-crash-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = setup({ t: { run: async () => null } }, { dir });
    const id = first.enqueue().id;
    expect(claimNextJob(first.store)!.id).toBe(id); // "running" in a process that then dies
    first.store.close();
    let runs = 0;
    const second = setup({ t: { run: async () => ++runs } }, { dir });
    second.runner.start();
    const job = await second.settled(id);
    expect(job.status).toBe("completed");
    expect(job.attempts).toBe(2);
    expect(runs).toBe(1);
    const types = listJobEventsAfter(second.store, id, 0).map((e) => `${e.type}:${e.data.status}`);
    expect(types).toEqual(["progress:queued", "progress:queued", "progress:running", "completed:completed"]);
  });

  test("a job interrupted too often is failed instead of re-run forever", async () => {
    const dir = mkdtempSync(join(tmpdir(), "traceport-poison-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = setup({ t: { run: async () => null } }, { dir });
    const id = first.enqueue().id;
    first.store.sqlite.query("UPDATE jobs SET status = 'running', attempts = 3 WHERE id = ?").run(id);
    first.store.close();
    const second = setup({ t: { run: async () => null } }, { dir });
    second.runner.start();
    const job = toJob(getJob(second.store, id)!);
    expect(job.status).toBe("failed");
    expect(job.error).toContain("Gave up after 3");
  });
});

