import type { ProgressState } from "./types.ts";

/** What a task reports; the reporter derives percent, rate and ETA. */
export interface ProgressUpdate {
  phase?: string;
  bytesDone?: number;
  bytesTotal?: number;
  spans?: number;
  /** Explicit percent, for tasks that do not count bytes. */
  progress?: number;
}

export interface ProgressReporterOptions {
  /** Minimum time between two emitted updates (100 ms gives about 10 a second). */
  intervalMs: number;
  now?: () => number;
}

/**
 * Throttles one run's progress to at most one update per interval, keeping the
 * newest state: an update that arrives too soon is held and sent when the
 * interval ends (a trailing send), so the last state is never dropped.
 */
export class ProgressReporter {
  private readonly now: () => number;
  private readonly startedAt: number;
  private state: ProgressState = { status: "running", progress: 0 };
  private lastEmitAt = -Infinity;
  private pending = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(
    private readonly emit: (state: ProgressState) => void,
    private readonly opts: ProgressReporterOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
  }

  /** The newest state, emitted or not. */
  get current(): ProgressState {
    return this.state;
  }

  report(update: ProgressUpdate): void {
    if (this.disposed) return;
    this.state = this.merge(update);
    this.pending = true;
    const wait = this.lastEmitAt + this.opts.intervalMs - this.now();
    if (wait <= 0) {
      this.send();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.send();
      }, wait);
    }
  }

  /** Sends the held state now, if any (before a terminal event). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.send();
  }

  /** Drops anything held; nothing is sent afterwards. */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = false;
    this.disposed = true;
  }

  private send(): void {
    if (!this.pending || this.disposed) return;
    this.pending = false;
    this.lastEmitAt = this.now();
    this.emit(this.state);
  }

  private merge(u: ProgressUpdate): ProgressState {
    const prev = this.state;
    const next: ProgressState = { ...prev, status: "running" };
    if (u.phase !== undefined) next.phase = u.phase;
    if (u.bytesDone !== undefined) next.bytesDone = u.bytesDone;
    if (u.bytesTotal !== undefined) next.bytesTotal = u.bytesTotal;
    if (u.spans !== undefined) next.spans = u.spans;
    let percent = u.progress;
    if (percent === undefined && next.bytesTotal && next.bytesDone !== undefined) {
      percent = (next.bytesDone / next.bytesTotal) * 100;
    }
    // 100 belongs to the completed event; while running, stay at most 99 and never go back.
    next.progress = Math.max(prev.progress, Math.min(99, Math.floor(percent ?? prev.progress)));
    const elapsedS = (this.now() - this.startedAt) / 1000;
    if (elapsedS > 0) {
      if (next.spans !== undefined) next.rate = Math.round(next.spans / elapsedS);
      if (next.bytesDone !== undefined && next.bytesTotal !== undefined && next.bytesDone > 0) {
        const bytesPerS = next.bytesDone / elapsedS;
        next.eta = Math.max(0, Math.round(((next.bytesTotal - next.bytesDone) / bytesPerS) * 10) / 10);
      }
    }
    return next;
  }
}
