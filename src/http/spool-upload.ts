import Busboy from "busboy";
import { once } from "node:events";
import { createWriteStream, rmSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { platform } from "../runtime/index.ts";
import { HttpError } from "./http-error.ts";

/** One uploaded file, written to the spool directory. */
export interface SpooledFile {
  /** Path relative to the data directory. */
  path: string;
  name: string;
  size: number;
}

export interface SpooledUpload {
  files: SpooledFile[];
  /** Text fields of a multipart body (e.g. format, strict). */
  fields: Record<string, string>;
}

export interface SpoolOptions {
  dataDir: string;
  maxBytes: number;
  /** Used when a raw body carries no name. */
  defaultName: string;
}

/** Content types accepted as a raw (non-multipart) upload body. */
export const RAW_TYPES = [
  "application/json",
  "application/x-ndjson",
  "application/jsonl",
  "application/x-jsonlines",
  "application/gzip",
  "application/x-gzip",
  "application/zstd",
  "application/x-protobuf",
  "application/protobuf",
  "application/octet-stream",
  "text/plain",
];

const MAX_FILES = 20;

function spoolPath(): string {
  return join("uploads", `${platform.uuidv7()}.upload`);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "Upload too large", `The limit is ${maxBytes} bytes (TRACEPORT_MAX_UPLOAD).`);
}

function cleanName(name: string | undefined, fallback: string): string {
  // Keep the name as the user gave it (it is escaped wherever it is shown), but
  // drop any directory part and control characters, and cap its length.
  const base = (name ?? "").split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (base || fallback).slice(0, 255);
}

/**
 * Browsers write `"`, CR and LF of a file name in a multipart header as %22,
 * %0D and %0A (the HTML standard's form encoding); undo that one escape.
 */
function formFileName(name: string | undefined): string | undefined {
  return name?.replace(/%22/g, '"').replace(/%0D|%0A/gi, "");
}

/**
 * Streams an upload to `<dataDir>/uploads/` without holding it in memory:
 * a multipart/form-data body (one job per `file` part; busboy parses it as it
 * arrives) or a raw body of one of RAW_TYPES. The limit is enforced while
 * bytes arrive; on any error every file written so far is removed.
 */
export async function spoolUpload(request: Request, opts: SpoolOptions): Promise<SpooledUpload> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const length = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(length) && length > opts.maxBytes + 64 * 1024) throw tooLarge(opts.maxBytes);
  if (!request.body || length === 0) {
    throw new HttpError(400, "Empty request body", "Send the trace file as multipart/form-data (field `file`) or as the raw body.");
  }
  if (type === "multipart/form-data") return spoolMultipart(request, opts);
  if (type === "" || RAW_TYPES.includes(type)) return spoolRaw(request, opts);
  throw new HttpError(
    415,
    `Unsupported content type "${type}"`,
    `Use multipart/form-data with a \`file\` field, or a raw body of type ${RAW_TYPES.join(", ")}.`,
  );
}

function removeAll(dataDir: string, files: { path: string }[]): void {
  for (const f of files) rmSync(join(dataDir, f.path), { force: true });
}

async function spoolRaw(request: Request, opts: SpoolOptions): Promise<SpooledUpload> {
  const url = new URL(request.url);
  const disposition = request.headers.get("content-disposition") ?? "";
  const fromHeader = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const name = cleanName(url.searchParams.get("name") ?? (fromHeader ? decodeURIComponent(fromHeader) : undefined), opts.defaultName);
  const file: SpooledFile = { path: spoolPath(), name, size: 0 };
  const sink = platform.writeFile(join(opts.dataDir, file.path));
  try {
    for await (const chunk of request.body!) {
      file.size += chunk.length;
      if (file.size > opts.maxBytes) throw tooLarge(opts.maxBytes);
      await sink.write(chunk);
      // Let the sink drain to disk rather than buffer a fast upload in memory.
      if (file.size % (8 << 20) < chunk.length) await sink.flush();
    }
    await sink.end();
  } catch (err) {
    try {
      await sink.end();
    } catch {
      // the write error is the one to report
    }
    removeAll(opts.dataDir, [file]);
    throw asUploadError(err);
  }
  if (file.size === 0) {
    removeAll(opts.dataDir, [file]);
    throw new HttpError(400, "Empty request body", "The body has no bytes.");
  }
  return { files: [file], fields: Object.fromEntries(url.searchParams) };
}

function asUploadError(err: unknown): Error {
  if (err instanceof HttpError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "ENOSPC") return new HttpError(507, "The server's disk is full", "The upload could not be stored; nothing was kept.");
  return new HttpError(400, "The upload could not be read", e?.message ?? String(err));
}

async function spoolMultipart(request: Request, opts: SpoolOptions): Promise<SpooledUpload> {
  const headers = Object.fromEntries(request.headers);
  let bb: Busboy.Busboy;
  try {
    bb = Busboy({ headers, limits: { fileSize: opts.maxBytes, files: MAX_FILES, fields: 20, fieldSize: 64 * 1024 } });
  } catch (err) {
    throw new HttpError(400, "Malformed multipart body", (err as Error).message);
  }
  const files: SpooledFile[] = [];
  const fields: Record<string, string> = {};
  const writes: Promise<void>[] = [];
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
  };

  bb.on("field", (name, value) => {
    fields[name] = value;
  });
  bb.on("file", (field, stream, info) => {
    if (field !== "file" && field !== "files") {
      stream.resume();
      return;
    }
    const file: SpooledFile = { path: spoolPath(), name: cleanName(formFileName(info.filename), opts.defaultName), size: 0 };
    files.push(file);
    stream.on("data", (c: Buffer) => {
      file.size += c.length;
    });
    stream.on("limit", () => fail(tooLarge(opts.maxBytes)));
    const out: WriteStream = createWriteStream(join(opts.dataDir, file.path));
    writes.push(pipeline(stream, out).catch((e) => fail(asUploadError(e))));
  });
  bb.on("filesLimit", () => fail(new HttpError(413, "Too many files", `At most ${MAX_FILES} files per request.`)));
  const finished = new Promise<void>((resolve, reject) => {
    bb.on("close", resolve);
    bb.on("error", reject);
  });
  // On the failure path `finished` is never awaited, and destroying busboy
  // mid-form rejects it ("Unexpected end of form"): that must not surface as
  // an unhandled rejection.
  finished.catch(() => {});

  try {
    const body = Readable.fromWeb(request.body! as import("node:stream/web").ReadableStream<Uint8Array>);
    for await (const chunk of body) {
      if (failure) break;
      if (!bb.write(chunk)) await once(bb, "drain");
    }
    if (!failure) {
      bb.end();
      await finished;
    }
    await Promise.all(writes);
  } catch (err) {
    fail(new HttpError(400, "Malformed multipart body", (err as Error).message));
  }
  if (failure) {
    bb.destroy();
    await Promise.allSettled(writes);
    removeAll(opts.dataDir, files);
    throw failure;
  }
  if (files.length === 0) {
    throw new HttpError(400, "No file in the form", "Add the trace file as the multipart field `file`.");
  }
  return { files, fields };
}
