/**
 * The composition root: opens the store and wires the job layer to the
 * in-process pub/sub. HTTP is added on top of this (src/server.ts); tests and
 * the CLI can use the context without it.
 */
import { createImportTask } from "./import/import-task.ts";
import { JobEventLog } from "./jobs/job-event-log.ts";
import { JobQueue } from "./jobs/job-queue.ts";
import { JobRunner } from "./jobs/runner.ts";
import type { JobEvent } from "./jobs/types.ts";
import { Broker } from "./realtime/broker.ts";
import { openStore, type Store } from "./storage/database.ts";
import type { Logger } from "./util/logger.ts";

export interface ContextOptions {
  dataDir: string;
  workers: number;
  logger: Logger;
  progressIntervalMs?: number;
}

export interface AppContext {
  store: Store;
  broker: Broker<JobEvent>;
  /** Where every job state change is recorded and published from. */
  events: JobEventLog;
  runner: JobRunner;
  queue: JobQueue;
  logger: Logger;
  /**
   * Calls `fn` with every job event after it is stored, like a broker
   * subscriber but not counted as one (metrics, not SSE clients).
   */
  observe(fn: (event: JobEvent) => void): () => void;
  /** Stops the runner (running jobs go back to the queue) and closes the store. */
  close(): Promise<void>;
}

/** Topic of one job's events; `JOBS_TOPIC` carries every job's. */
export const jobTopic = (id: string) => `jobs/${id}`;
export const JOBS_TOPIC = "jobs/*";

export function createContext(opts: ContextOptions): AppContext {
  const store = openStore(opts.dataDir);
  const broker = new Broker<JobEvent>();
  const observers = new Set<(e: JobEvent) => void>();
  const events = new JobEventLog(store, (e) => {
    broker.publish(jobTopic(e.jobId), e);
    broker.publish(JOBS_TOPIC, e);
    for (const fn of observers) {
      try {
        fn(e);
      } catch (err) {
        opts.logger.error("job event observer failed", { error: String(err) });
      }
    }
  });
  const runner = new JobRunner({
    store,
    events,
    tasks: { import: createImportTask(store) },
    concurrency: opts.workers,
    logger: opts.logger,
    progressIntervalMs: opts.progressIntervalMs,
  });
  const queue = new JobQueue(store, events, runner);
  return {
    store,
    broker,
    events,
    runner,
    queue,
    logger: opts.logger,
    observe(fn) {
      const entry = (e: JobEvent) => fn(e);
      observers.add(entry);
      return () => observers.delete(entry);
    },
    async close() {
      await runner.stop();
      store.close();
    },
  };
}
