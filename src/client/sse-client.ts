/**
 * A typed client for a traceport job's progress: the SSE stream of
 * `GET /api/jobs/:id/stream`, with reconnection (exponential backoff with
 * jitter, resuming with Last-Event-ID), a fallback to polling
 * `GET /api/jobs/:id` while the stream keeps failing (and back to the stream
 * once it recovers), and Bearer or stream-token authentication.
 *
 * It runs wherever `fetch` streams a response body: Bun, Node 18+ and
 * browsers. It imports nothing from the server; its only dependency is
 * eventsource-parser.
 *
 * The handlers see every state once and in order: an update that is not newer
 * than the last one delivered (a replay after a reconnect, a poll that saw
 * nothing new) is dropped, and the client stops after the terminal state.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

/** The part of `fetch` the client uses. */
export type FetchLike = (input: string, init?: { headers?: Record<string, string>; signal?: AbortSignal; method?: string }) => Promise<Response>;

export type JobStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

/** One state of a job, as the stream's events and the job API carry it. */
export interface SSEJobUpdate {
  jobId: string;
  status: JobStatus;
  /** 0–100. */
  progress: number;
  phase?: string;
  bytesDone?: number;
  bytesTotal?: number;
  spans?: number;
  /** Spans per second. */
  rate?: number;
  /** Seconds left, estimated. */
  eta?: number | null;
  /** The import result, on `completed`. */
  result?: unknown;
  /** The reason, on `failed`. */
  error?: string;
  details?: string | null;
  /** The event-log id, when the update came from the stream. */
  eventId?: number;
  /** Where the update came from. */
  via: "stream" | "poll";
}

export type SSEClientMode = "stream" | "polling";

export interface SSEClientHandlers {
  /** The stream is open (after every successful connect). */
  onOpen?(): void;
  onProgress?(update: SSEJobUpdate): void;
  onCompleted?(update: SSEJobUpdate): void;
  onFailed?(update: SSEJobUpdate): void;
  onCancelled?(update: SSEJobUpdate): void;
  /** A connection or poll failed (the client carries on), or a fatal error (`fatal`: it stopped). */
  onError?(error: Error, info: { fatal: boolean; attempt: number }): void;
  /** Switched between following the stream and polling. */
  onModeChange?(mode: SSEClientMode): void;
}

export interface SSEClientOptions extends SSEClientHandlers {
  /** The API token, sent as `Authorization: Bearer`. */
  token?: string;
  /**
   * For a stream on another origin that should not see the API token: called
   * before every connect, returns a stream token (POST /api/jobs/:id/stream-token),
   * which goes in the URL as `?token=`.
   */
  streamToken?: () => string | Promise<string>;
  /** First reconnection delay (ms); doubles per failure up to `maxDelayMs`, with ±50% jitter. Default 500. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Consecutive failed connects before polling takes over. Default 3. */
  pollAfterFailures?: number;
  /** Polling interval (ms). Default 2000. */
  pollIntervalMs?: number;
  /** While polling, how often to try the stream again (ms). Default 10000. */
  streamRetryMs?: number;
  /** A fetch to use instead of the global one. */
  fetch?: FetchLike;
  /** Random source for the jitter (tests). */
  random?: () => number;
}

/** Where the job is: its stream URL, or the server's base URL and the job id. */
export type SSEClientSource = string | { baseUrl: string; jobId: string };

const STATUS_RANK: Record<JobStatus, number> = { queued: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };
const TERMINAL = new Set<JobStatus>(["completed", "failed", "cancelled"]);

class FatalError extends Error {}

export class SSEClient {
  readonly jobId: string;
  private readonly streamUrl: string;
  private readonly jobUrl: string;
  private readonly o: Required<Pick<SSEClientOptions, "initialDelayMs" | "maxDelayMs" | "pollAfterFailures" | "pollIntervalMs" | "streamRetryMs">> & SSEClientOptions;
  private readonly fetchFn: FetchLike;
  private readonly abort = new AbortController();
  private lastEventId: number | null = null;
  private last: SSEJobUpdate | null = null;
  private failures = 0;
  private closed = false;
  private modeNow: SSEClientMode = "stream";
  /** Resolves when the client has stopped (terminal state, fatal error or close()). */
  readonly done: Promise<SSEJobUpdate | null>;
  private resolveDone!: (u: SSEJobUpdate | null) => void;

  constructor(source: SSEClientSource, options: SSEClientOptions = {}) {
    if (typeof source === "string") {
      const m = /^(.*\/api\/jobs\/([^/?#]+))\/stream(?:[?#].*)?$/.exec(source);
      if (!m) throw new TypeError(`Not a job stream URL: ${source} (expected …/api/jobs/<id>/stream)`);
      this.jobUrl = m[1]!;
      this.jobId = decodeURIComponent(m[2]!);
    } else {
      this.jobId = source.jobId;
      this.jobUrl = `${source.baseUrl.replace(/\/+$/, "")}/api/jobs/${encodeURIComponent(source.jobId)}`;
    }
    this.streamUrl = `${this.jobUrl}/stream`;
    this.o = { initialDelayMs: 500, maxDelayMs: 30_000, pollAfterFailures: 3, pollIntervalMs: 2000, streamRetryMs: 10_000, ...options };
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    void this.loop();
  }

  /** The current way of following the job. */
  get mode(): SSEClientMode {
    return this.modeNow;
  }

  /** The newest state delivered to the handlers. */
  get state(): SSEJobUpdate | null {
    return this.last;
  }

  /** Stops following: no handler is called after this. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.resolveDone(this.last);
  }

  private async loop(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.failures >= this.o.pollAfterFailures) {
          await this.pollUntilStreamRecovers();
          continue;
        }
        try {
          await this.follow();
          // The stream ended without a terminal event (a restart, a proxy): reconnect soon.
          if (!this.closed) await this.sleep(this.delay(0));
        } catch (err) {
          if (this.closed) return;
          if (err instanceof FatalError) throw err;
          this.failures++;
          this.o.onError?.(toError(err), { fatal: false, attempt: this.failures });
          if (this.failures < this.o.pollAfterFailures) await this.sleep(this.delay(this.failures));
        }
      }
    } catch (err) {
      if (!this.closed) {
        this.o.onError?.(toError(err), { fatal: true, attempt: this.failures });
        this.close();
      }
    }
  }

  /** Exponential backoff with ±50% jitter. */
  private delay(failures: number): number {
    const base = Math.min(this.o.maxDelayMs, this.o.initialDelayMs * 2 ** Math.max(0, failures - 1));
    return Math.round(base * (0.5 + (this.o.random ?? Math.random)()));
  }

  private async headers(extra: Record<string, string>): Promise<{ url: string; headers: Record<string, string> }> {
    const headers: Record<string, string> = { ...extra };
    let url = this.streamUrl;
    if (this.o.streamToken) url += `?token=${encodeURIComponent(await this.o.streamToken())}`;
    else if (this.o.token) headers.authorization = `Bearer ${this.o.token}`;
    return { url, headers };
  }

  /** Reads the stream until it ends. Throws on a failed connect. */
  private async follow(): Promise<void> {
    const extra: Record<string, string> = { accept: "text/event-stream" };
    if (this.lastEventId !== null) extra["last-event-id"] = String(this.lastEventId);
    const { url, headers } = await this.headers(extra);
    const res = await this.fetchFn(url, { headers, signal: this.abort.signal });
    await this.check(res);
    if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream") || !res.body) {
      await res.body?.cancel();
      throw new Error(`The stream answered ${res.status} with ${res.headers.get("content-type") ?? "no content type"}`);
    }
    this.failures = 0;
    this.setMode("stream");
    this.o.onOpen?.();
    const parser = createParser({ onEvent: (e) => this.onMessage(e) });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      while (!this.closed) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      reader.releaseLock();
      if (this.closed) await res.body.cancel().catch(() => {});
    }
  }

  private async check(res: Response): Promise<void> {
    if (res.ok) return;
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: string; details?: string };
      if (body.error) message += `: ${body.error}${body.details ? ` (${body.details})` : ""}`;
    } catch {
      // not JSON
    }
    // The job is gone, or we may not see it: retrying cannot help.
    if (res.status === 404 || res.status === 401 || res.status === 403 || res.status === 410) throw new FatalError(message);
    throw new Error(message);
  }

  private onMessage(e: EventSourceMessage): void {
    if (this.closed || !e.event || !["progress", "completed", "failed", "cancelled"].includes(e.event)) return;
    const id = e.id !== undefined && /^\d+$/.test(e.id) ? Number(e.id) : undefined;
    if (id !== undefined) {
      if (this.lastEventId !== null && id <= this.lastEventId) return;
      this.lastEventId = id;
    }
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(e.data) as Record<string, unknown>;
    } catch {
      return;
    }
    this.deliver({ ...(data as Omit<SSEJobUpdate, "jobId" | "via">), jobId: this.jobId, eventId: id, via: "stream" });
  }

  /** Polls the job until it ends, trying the stream again every `streamRetryMs`. */
  private async pollUntilStreamRecovers(): Promise<void> {
    this.setMode("polling");
    const retryAt = Date.now() + this.o.streamRetryMs;
    while (!this.closed && Date.now() < retryAt) {
      try {
        const { headers } = await this.headers({ accept: "application/json" });
        const res = await this.fetchFn(this.jobUrl, { headers, signal: this.abort.signal });
        await this.check(res);
        const job = (await res.json()) as { status: JobStatus; progress: number; state?: Record<string, unknown> | null; result?: unknown; error?: string | null; details?: string | null };
        this.deliver({
          ...(job.state ?? {}),
          jobId: this.jobId,
          status: job.status,
          progress: job.progress,
          ...(job.status === "completed" ? { result: job.result } : {}),
          ...(job.status === "failed" ? { error: job.error ?? "The import failed", details: job.details ?? null } : {}),
          via: "poll",
        });
      } catch (err) {
        if (err instanceof FatalError || this.closed) throw err;
        this.o.onError?.(toError(err), { fatal: false, attempt: this.failures });
      }
      if (!this.closed) await this.sleep(this.o.pollIntervalMs);
    }
    // Try the stream once more; a failure sends us back here.
    this.failures = this.o.pollAfterFailures - 1;
    // States seen by polling have no event id: resume from the current state, not a replay.
    this.lastEventId = null;
  }

  /** Calls the handler if `u` is newer than what was delivered; stops after a terminal state. */
  private deliver(u: SSEJobUpdate): void {
    if (this.closed || !isNewer(u, this.last)) return;
    this.last = u;
    switch (u.status) {
      case "queued":
      case "running":
        this.o.onProgress?.(u);
        return;
      case "completed":
        this.o.onCompleted?.(u);
        break;
      case "failed":
        this.o.onFailed?.(u);
        break;
      case "cancelled":
        this.o.onCancelled?.(u);
        break;
    }
    this.close();
  }

  private setMode(mode: SSEClientMode): void {
    if (this.modeNow === mode) return;
    this.modeNow = mode;
    this.o.onModeChange?.(mode);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
  }
}

/** Later in the job's life: a further status, or more progress or spans in the same status. */
function isNewer(u: SSEJobUpdate, last: SSEJobUpdate | null): boolean {
  if (!last) return true;
  if (TERMINAL.has(last.status)) return false;
  const rank = STATUS_RANK[u.status] - STATUS_RANK[last.status];
  if (rank !== 0) return rank > 0;
  if (u.progress !== last.progress) return u.progress > last.progress;
  if ((u.spans ?? 0) !== (last.spans ?? 0)) return (u.spans ?? 0) > (last.spans ?? 0);
  return (u.bytesDone ?? 0) > (last.bytesDone ?? 0) || (u.phase !== last.phase && u.eventId !== undefined && u.eventId !== last.eventId);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Mints a stream token for a job (needs the API token); for `SSEClientOptions.streamToken`. */
export async function mintStreamToken(baseUrl: string, jobId: string, apiToken: string, fetchFn: FetchLike = (i, init) => fetch(i, init)): Promise<string> {
  const res = await fetchFn(`${baseUrl.replace(/\/+$/, "")}/api/jobs/${encodeURIComponent(jobId)}/stream-token`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiToken}` },
  });
  if (!res.ok) throw new Error(`Could not mint a stream token: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}
