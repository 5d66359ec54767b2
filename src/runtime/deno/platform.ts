/**
 * The Deno side of the runtime seam (../platform.ts). SQLite is node:sqlite
 * (Deno ≥ 2.2); serving is Deno.serve, which has no idle timeout to opt out of.
 * Run with deno.json's unstable flags: `no-legacy-abort` (otherwise a
 * request's signal also fires after every normal response, and SSE streams
 * would see a disconnect that did not happen) and `raw-imports` (the embedded
 * migrations and assets are `with { type: "text" }` imports).
 */
import { createReadStream } from "node:fs";
import { Decompress } from "fzstd";
import { v7 } from "uuid";
import { NodeSqliteConnection } from "../../storage/sqlite/node-sqlite.ts";
import type { HttpServer, Platform, ServeOptions } from "../platform.ts";

/** The part of Deno's namespace used here (Deno's own types are not part of this build). */
interface DenoFile {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}
interface DenoHttpServer {
  readonly addr: { hostname: string; port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}
declare const Deno: {
  readonly version: { deno: string };
  openSync(path: string, options: { read?: boolean; write?: boolean; create?: boolean; truncate?: boolean }): DenoFile;
  serve(
    options: { port: number; hostname: string; signal?: AbortSignal; onListen?: (addr: unknown) => void },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): DenoHttpServer;
};

/**
 * zstd as a stream, by fzstd (pure JavaScript). Deno has no "zstd" in
 * DecompressionStream, and its node:zlib zstd decoder (2.9.6) stops at the end
 * of the first frame, silently dropping the rest of a file made of several
 * frames, which is what the Collector writes when it rotates. fzstd reads
 * every frame and skips skippable ones.
 */
function zstdStream(): ReadableWritablePair<Uint8Array, Uint8Array> {
  let decoder: Decompress;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      decoder = new Decompress((chunk) => {
        if (chunk.length > 0) controller.enqueue(chunk);
      });
    },
    transform(chunk) {
      decoder.push(chunk);
    },
    flush() {
      decoder.push(new Uint8Array(0), true);
    },
  });
}

function serve(o: ServeOptions): HttpServer {
  const clients = new WeakMap<Request, string>();
  const abort = new AbortController();
  const server = Deno.serve(
    // onListen replaces Deno's own "Listening on …" line: the caller logs.
    { port: o.port, hostname: o.hostname, signal: abort.signal, onListen: () => {} },
    (request, info) => {
      clients.set(request, info.remoteAddr.hostname);
      return o.fetch(request);
    },
  );
  return {
    hostname: server.addr.hostname,
    port: server.addr.port,
    keepOpen: () => {},
    clientAddress: (request) => clients.get(request) ?? null,
    async stop(closeActive = false) {
      if (closeActive) abort.abort();
      else await server.shutdown();
      await server.finished;
    },
  };
}

export const denoPlatform: Platform = {
  runtime: "deno",
  version: Deno.version.deno,
  openSqlite: (path) => new NodeSqliteConnection(path),
  serve,
  readFile: (path) => createReadStream(path, { highWaterMark: 1 << 20 }),
  writeFile(path) {
    const writer = Deno.openSync(path, { write: true, create: true, truncate: true }).writable.getWriter();
    return {
      write: (chunk) => writer.write(chunk),
      flush: () => writer.ready,
      end: () => writer.close(),
    };
  },
  fileBody: (path) => Deno.openSync(path, { read: true }).readable,
  decompressor: (kind) => (kind === "zstd" ? zstdStream() : (new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>)),
  uuidv7: () => v7(),
};
