import { rmSync } from "node:fs";
import { join } from "node:path";
import { Elysia } from "elysia";
import { FORMAT_OPTIONS } from "../formats/registry.ts";
import { HttpError } from "../http/http-error.ts";
import { spoolUpload, type SpooledUpload } from "../http/spool-upload.ts";
import type { RouteDeps } from "./deps.ts";
import { publicJob } from "./public-job.ts";

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
 * POST /api/imports: the upload is streamed to the spool directory, then one
 * job per file is queued, and only then is 202 sent.
 */
export function importRoutes({ ctx, config }: RouteDeps) {
  return new Elysia().post(
    "/api/imports",
    async ({ request, set }) => {
      const upload = await spoolUpload(request, { dataDir: ctx.store.dataDir, maxBytes: config.maxUploadBytes, defaultName: "upload" });
      let opts: ReturnType<typeof options>;
      try {
        opts = options(upload);
      } catch (err) {
        for (const f of upload.files) rmSync(join(ctx.store.dataDir, f.path), { force: true });
        throw err;
      }
      const jobs = upload.files.map((f) =>
        ctx.queue.enqueue({
          kind: "import",
          input: { path: f.path, name: f.name, size: f.size, format: opts.format },
          options: { strict: opts.strict },
        }),
      );
      set.status = 202;
      set.headers.location = `/api/jobs/${jobs[0]!.id}`;
      return jobs.length === 1 ? publicJob(jobs[0]!) : { jobs: jobs.map(publicJob) };
    },
    { parse: "none" },
  );
}
