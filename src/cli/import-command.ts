/**
 * `traceport import FILE...`: uploads each file to a server and follows its
 * job with the SSE client, drawing a progress line, then prints the report.
 * Without --server it imports straight into the local data directory.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { SSEClient, type SSEJobUpdate } from "../client/sse-client.ts";
import type { KeepUploads } from "../config/settings.ts";
import { createContext, jobTopic, type AppContext } from "../context.ts";
import { Retention } from "../jobs/retention.ts";
import { platform } from "../runtime/index.ts";
import { isTerminal, type JobEvent } from "../jobs/types.ts";
import { getJob } from "../storage/jobs/get-job.ts";
import { toJob } from "../storage/jobs/job-mapper.ts";
import { createLogger } from "../util/logger.ts";
import { progressLine, reportText, type ImportReport } from "./progress-line.ts";

export interface ImportCommandOptions {
  server?: string;
  token?: string;
  format: string;
  strict: boolean;
  json: boolean;
  dataDir: string;
  workers: number;
  keepUploads?: KeepUploads;
}

export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: the progress line is redrawn in place. */
  tty: boolean;
}

type Final = Pick<ImportReport, "status" | "result" | "error" | "details">;

/** How one job is followed: remotely over SSE, or in-process. */
interface Target {
  label: string;
  submit(path: string, name: string): Promise<string>;
  follow(jobId: string, onProgress: (u: SSEJobUpdate) => void): Promise<Final>;
  cancel(jobId: string): Promise<void>;
  close(): Promise<void>;
}

export async function runImportCommand(files: string[], opts: ImportCommandOptions, term: Terminal): Promise<number> {
  const missing = files.filter((f) => !existsSync(f) || !statSync(f).isFile());
  if (missing.length) {
    term.err(`traceport import: no such file: ${missing.join(", ")}\n`);
    return 2;
  }
  const target = opts.server ? remoteTarget(opts) : localTarget(opts);
  const reports: ImportReport[] = [];
  let current: string | null = null;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    term.err(`\ninterrupted: cancelling ${current ? `job ${current}` : "the import"}…\n`);
    if (current) void target.cancel(current);
  };
  process.on("SIGINT", onSigint);
  try {
    for (const file of files) {
      const name = basename(file);
      let jobId: string;
      try {
        jobId = await target.submit(file, name);
      } catch (err) {
        const report: ImportReport = { file, jobId: "", status: "failed", error: (err as Error).message };
        reports.push(report);
        if (!opts.json) term.out(reportText(report) + "\n");
        continue;
      }
      current = jobId;
      let lastDraw = 0;
      let lastPct = -1;
      const final = await target.follow(jobId, (u) => {
        const now = Date.now();
        if (term.tty) {
          if (now - lastDraw < 100) return;
          lastDraw = now;
          term.err(`\r\x1b[2K${progressLine(name, u)}`);
        } else if (Math.floor(u.progress / 25) > Math.floor(lastPct / 25)) {
          // Without a terminal: a line at each quarter, not a flood.
          term.err(progressLine(name, u) + "\n");
        }
        lastPct = u.progress;
      });
      current = null;
      if (term.tty) term.err("\r\x1b[2K");
      const report: ImportReport = { file, jobId, ...final };
      reports.push(report);
      if (!opts.json) term.out(reportText(report) + "\n");
      if (interrupted) break;
    }
  } finally {
    process.off("SIGINT", onSigint);
    await target.close();
  }
  if (opts.json) term.out(JSON.stringify(reports, null, 2) + "\n");
  if (interrupted) return 130;
  return reports.every((r) => r.status === "completed") ? 0 : 1;
}

function finalOf(u: { status: string; result?: unknown; error?: string | null; details?: string | null }): Final {
  if (u.status === "completed") return { status: "completed", result: u.result as ImportReport["result"] };
  if (u.status === "cancelled") return { status: "cancelled" };
  return { status: "failed", error: u.error ?? "The import failed", details: u.details ?? null };
}

function remoteTarget(opts: ImportCommandOptions): Target {
  const base = opts.server!.replace(/\/+$/, "");
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  return {
    label: base,
    async submit(path, name) {
      const query = new URLSearchParams({ name, format: opts.format, strict: String(opts.strict) });
      let res: Response;
      try {
        // The raw body is streamed from the file, never read whole.
        // (`duplex` is what fetch needs for a streamed body where the body is a ReadableStream.)
        const init = { method: "POST", body: platform.fileBody(path), duplex: "half", headers: { "content-type": "application/octet-stream", ...auth } };
        res = await fetch(`${base}/api/imports?${query}`, init as RequestInit);
      } catch (err) {
        throw new Error(`cannot reach ${base}: ${(err as Error).message}`);
      }
      const body = (await res.json().catch(() => ({}))) as { id?: string; error?: string; details?: string };
      if (res.status !== 202 || !body.id) throw new Error(`upload refused (HTTP ${res.status}): ${body.error ?? "no reason given"}${body.details ? ` — ${body.details}` : ""}`);
      return body.id;
    },
    async follow(jobId, onProgress) {
      let fatal: string | null = null;
      const client = new SSEClient({ baseUrl: base, jobId }, {
        token: opts.token,
        onProgress,
        onError: (err, info) => {
          if (info.fatal) fatal = err.message;
        },
      });
      const last = await client.done;
      if (!last) return { status: "failed", error: `lost the job: ${fatal ?? "unknown error"}` };
      return finalOf(last);
    },
    async cancel(jobId) {
      await fetch(`${base}/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: "POST", headers: auth }).catch(() => {});
    },
    async close() {},
  };
}

function localTarget(opts: ImportCommandOptions): Target {
  let ctx: AppContext | null = null;
  let retention: Retention | null = null;
  const open = () => {
    if (!ctx) {
      ctx = createContext({ dataDir: opts.dataDir, workers: opts.workers, logger: createLogger({ format: "text", level: "warn" }) });
      // The server's upload policy: a completed import's copy is deleted, a failed one's kept for a retry.
      retention = new Retention(ctx, { retainDays: 0, keepUploads: opts.keepUploads ?? "failed" });
      ctx.runner.start();
    }
    return ctx;
  };
  return {
    label: opts.dataDir,
    async submit(path, name) {
      const c = open();
      // A copy in the data directory, as an upload would be: the job owns its
      // input (retention may delete it), never the user's own file.
      mkdirSync(join(c.store.dataDir, "uploads"), { recursive: true });
      const rel = join("uploads", `${platform.uuidv7()}.upload`);
      await copyFile(path, join(c.store.dataDir, rel));
      const size = statSync(join(c.store.dataDir, rel)).size;
      return c.queue.enqueue({ kind: "import", input: { path: rel, name, size, format: opts.format }, options: { strict: opts.strict } }).id;
    },
    follow(jobId, onProgress) {
      const c = open();
      return new Promise<Final>((resolve) => {
        const finish = (u: Parameters<typeof finalOf>[0]) => {
          unsubscribe();
          resolve(finalOf(u));
        };
        const unsubscribe = c.broker.subscribe(jobTopic(jobId), (e: JobEvent) => {
          if (e.type === "progress") onProgress({ ...e.data, jobId, via: "stream" });
          else finish(e.data as Parameters<typeof finalOf>[0]);
        });
        // It may have ended before we subscribed.
        const job = toJob(getJob(c.store, jobId)!);
        if (isTerminal(job.status)) finish(job);
      });
    },
    async cancel(jobId) {
      await open().runner.cancel(jobId);
    },
    async close() {
      (retention as Retention | null)?.stop();
      if (ctx) await (ctx as AppContext).close();
    },
  };
}
