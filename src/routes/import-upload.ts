import { rmSync } from "node:fs";
import { join } from "node:path";
import { FORMAT_OPTIONS } from "../formats/registry.ts";
import { HttpError } from "../http/http-error.ts";
import { spoolUpload, type SpooledUpload } from "../http/spool-upload.ts";
import type { Job } from "../jobs/types.ts";
import { countQueuedJobs } from "../storage/jobs/count-queued-jobs.ts";
import type { RouteDeps } from "./deps.ts";

const TRUE = new Set(["1", "true", "on", "yes"]);
const FALSE = new Set(["", "0", "false", "off", "no"]);

function options(upload: SpooledUpload): { format: string; strict: boolean } {
  const format = (upload.fields.format ?? "auto").trim().toLowerCase() || "auto";
  if (!FORMAT_OPTIONS.includes(format)) {
    throw new HttpError(400, `Unknown format "${format}"`, `Use one of: ${FORMAT_OPTIONS.join(", ")}.`);
  }
  const raw = (upload.fields.strict ?? "").trim().toLowerCase();
  if (!TRUE.has(raw) && !FALSE.has(raw)) throw new HttpError(400, `strict must be true or false, not "${raw}"`);
  return { format, strict: TRUE.has(raw) };
}

/**
 * Streams an upload to the spool directory, then queues one import job per
 * file. Shared by the API (POST /api/imports) and the import form (POST /imports).
 */
export async function importUpload({ ctx, config, lifecycle }: RouteDeps, request: Request): Promise<Job[]> {
  // Refused before a byte of the body is read.
  if (lifecycle.stopping) throw new HttpError(503, "The server is shutting down", "Send the import again in a moment.", { "retry-after": "5" });
  const queued = countQueuedJobs(ctx.store);
  if (queued >= config.maxQueuedJobs) {
    throw new HttpError(429, "Too many jobs waiting", `${queued} jobs are queued (TRACEPORT_MAX_QUEUED is ${config.maxQueuedJobs}); try again when some have run.`, { "retry-after": "30" });
  }
  const upload = await spoolUpload(request, { dataDir: ctx.store.dataDir, maxBytes: config.maxUploadBytes, defaultName: "upload" });
  let opts: ReturnType<typeof options>;
  try {
    opts = options(upload);
  } catch (err) {
    for (const f of upload.files) rmSync(join(ctx.store.dataDir, f.path), { force: true });
    throw err;
  }
  return upload.files.map((f) => {
    const job = ctx.queue.enqueue({
      kind: "import",
      input: { path: f.path, name: f.name, size: f.size, format: opts.format },
      options: { strict: opts.strict },
    });
    ctx.logger.info("job queued", { job: job.id, file: f.name, bytes: f.size, format: opts.format, strict: opts.strict });
    return job;
  });
}
