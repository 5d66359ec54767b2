/**
 * Talking to a traceport server over HTTP only (no access to its context):
 * uploads, job polling, metrics and a streaming SSE reader built on
 * eventsource-parser. Used by the tests that run the server as a process.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type Headers = Record<string, string>;

export interface JobJson {
  id: string;
  kind: string;
  status: string;
  progress: number;
  attempts: number;
  error: string | null;
  details: string | null;
  input: { name: string; size: number; format: string };
  result: { spans: number; traces: number; inserted: number; duplicates: number; errors: number; services: string[]; format: string } | null;
}

export const TERMINAL = ["completed", "failed", "cancelled"];

/** POSTs the file as the raw request body; returns the new job's id (expects 202). */
export async function uploadRaw(base: string, path: string, opts: { name?: string; headers?: Headers; query?: string } = {}): Promise<string> {
  const name = opts.name ?? path.split("/").pop()!;
  const q = `name=${encodeURIComponent(name)}${opts.query ? `&${opts.query}` : ""}`;
  const res = await fetch(`${base}/api/imports?${q}`, { method: "POST", body: Bun.file(path), headers: { "content-type": "application/octet-stream", ...opts.headers } });
  if (res.status !== 202) throw new Error(`upload of ${name} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** POSTs the file as multipart/form-data (field `file`, plus `fields`); returns the response. */
export function uploadForm(base: string, path: string, fields: Record<string, string> = {}, headers: Headers = {}): Promise<Response> {
  const form = new FormData();
  form.append("file", Bun.file(path), path.split("/").pop());
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return fetch(`${base}/api/imports`, { method: "POST", body: form, headers });
}

export async function jobOf(base: string, id: string, headers: Headers = {}): Promise<JobJson> {
  const res = await fetch(`${base}/api/jobs/${id}`, { headers });
  if (res.status !== 200) throw new Error(`GET /api/jobs/${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as JobJson;
}

/** Polls until `fn` gives something truthy; fails after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T> | T, ms = 30_000, everyMs = 25): Promise<NonNullable<T>> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** The job once it has reached completed, failed or cancelled. */
export function settled(base: string, id: string, headers: Headers = {}, ms = 30_000): Promise<JobJson> {
  return waitFor(`job ${id} to finish`, async () => {
    const job = await jobOf(base, id, headers);
    return TERMINAL.includes(job.status) ? job : null;
  }, ms);
}

/** One sample of a Prometheus metric from /metrics (the first line that matches name and labels). */
export async function metric(base: string, name: string, headers: Headers = {}): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`no metric ${name} in /metrics`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

export interface SseEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

export interface SseRead {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  comments: string[];
  retries: number[];
  /** The raw text received. */
  text: string;
  /** True when the server ended the stream; false when we stopped reading. */
  ended: boolean;
}

export interface SseReadOptions {
  headers?: Headers;
  /** Stop reading (and disconnect) once this returns true. */
  until?: (read: SseRead) => boolean;
  /** Give up (disconnect, `ended` false) after this long; default 30 s. */
  timeoutMs?: number;
  /** Called after every chunk. */
  onChunk?: (read: SseRead) => void;
}

/**
 * Reads an SSE response with eventsource-parser until the server ends it,
 * `until` says stop, or the time is up. Non-SSE responses (404 …) come back
 * with their status and body text and no events.
 */
export async function readSse(url: string, opts: SseReadOptions = {}): Promise<SseRead> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 30_000);
  const read: SseRead = { status: 0, contentType: null, events: [], comments: [], retries: [], text: "", ended: false };
  const parser = createParser({
    onEvent: (e: EventSourceMessage) => read.events.push({ id: Number(e.id), type: e.event ?? "message", data: JSON.parse(e.data) }),
    onComment: (c) => read.comments.push(c.trim()),
    onRetry: (ms) => read.retries.push(ms),
  });
  try {
    const res = await fetch(url, { headers: { accept: "text/event-stream", ...opts.headers }, signal: abort.signal });
    read.status = res.status;
    read.contentType = res.headers.get("content-type");
    if (!read.contentType?.startsWith("text/event-stream")) {
      read.text = await res.text();
      read.ended = true;
      return read;
    }
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      if (opts.until?.(read)) break;
      const { value, done } = await reader.read();
      if (done) {
        read.ended = true;
        break;
      }
      const chunk = decoder.decode(value, { stream: true });
      read.text += chunk;
      parser.feed(chunk);
      opts.onChunk?.(read);
    }
    if (!read.ended) await reader.cancel().catch(() => {});
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return read;
}

/** True once the read holds a completed, failed or cancelled event. */
export const hasTerminal = (r: SseRead): boolean => r.events.some((e) => TERMINAL.includes(e.type));
