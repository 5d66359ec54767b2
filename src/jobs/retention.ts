import { rmSync } from "node:fs";
import type { KeepUploads } from "../config/settings.ts";
import type { AppContext } from "../context.ts";
import { inputFilePath } from "../import/input-path.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import type { JobEvent } from "./types.ts";

const DAY_MS = 24 * 3600 * 1000;
const SWEEP_EVERY_MS = 3600 * 1000;
const BATCH = 500;

export interface RetentionOptions {
  /** Finished jobs older than this are removed (0: never). */
  retainDays: number;
  keepUploads: KeepUploads;
}

/**
 * Keeps the data directory from growing without bound:
 * - when an import ends, its uploaded file is deleted unless it is kept for a
 *   retry (`failed`: failed and cancelled jobs keep theirs; `all`; `none`);
 * - every hour (and once at start), finished jobs older than `retainDays` are
 *   deleted with their events and files. Their spans stay: traces are the data,
 *   jobs are the history of how they came in.
 */
export class Retention {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly stopObserving: () => void;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: RetentionOptions,
  ) {
    this.stopObserving = ctx.observe((e) => this.onEvent(e));
  }

  start(): void {
    if (this.opts.retainDays <= 0 || this.timer) return;
    this.sweep();
    this.timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopObserving();
  }

  /** Deletes finished jobs older than the retention period; returns how many. */
  sweep(now = Date.now()): number {
    if (this.opts.retainDays <= 0) return 0;
    const cutoff = now - this.opts.retainDays * DAY_MS;
    let removed = 0;
    for (;;) {
      const ids = this.ctx.store.sqlite
        .query("SELECT id FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < ? ORDER BY id LIMIT ?")
        .all(cutoff, BATCH) as { id: string }[];
      for (const { id } of ids) if (this.ctx.queue.delete(id, { spans: false }).kind === "deleted") removed++;
      if (ids.length < BATCH) break;
    }
    if (removed) this.ctx.logger.info("retention: removed finished jobs", { jobs: removed, olderThanDays: this.opts.retainDays });
    return removed;
  }

  private onEvent(e: JobEvent): void {
    if (e.type === "progress") return;
    const keep = this.opts.keepUploads === "all" || (this.opts.keepUploads === "failed" && e.type !== "completed");
    if (keep) return;
    const row = getJob(this.ctx.store, e.jobId);
    if (!row?.inputPath) return;
    rmSync(inputFilePath(this.ctx.store.dataDir, row.inputPath), { force: true });
  }
}
