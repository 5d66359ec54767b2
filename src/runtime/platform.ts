/**
 * The runtime seam: everything that differs between Bun and Deno, behind one
 * interface. bun/platform.ts and deno/platform.ts implement it; index.ts picks
 * one at start-up. Nothing outside src/runtime/ names either runtime.
 */
import type { SqliteConnection } from "../storage/sqlite/sqlite-connection.ts";

export interface ServeOptions {
  port: number;
  hostname: string;
  /** Seconds an ordinary request may stay silent before its connection is closed (where the runtime has such a timeout). */
  idleTimeoutSeconds: number;
  fetch(request: Request): Response | Promise<Response>;
}

export interface HttpServer {
  readonly hostname: string;
  readonly port: number;
  /** Exempts this request's connection from the idle timeout (a long-lived SSE stream). */
  keepOpen(request: Request): void;
  /** The client's IP address, or null when the runtime cannot tell. */
  clientAddress(request: Request): string | null;
  /** Stops accepting connections; resolves when open requests have ended, or at once with `closeActive`. */
  stop(closeActive?: boolean): Promise<void>;
}

/** A file being written chunk by chunk (an upload spooled to disk). */
export interface FileSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /** Resolves when what was written so far has reached the file. */
  flush(): Promise<void>;
  end(): Promise<void>;
}

export interface Platform {
  readonly runtime: "bun" | "deno";
  /** The runtime's version, for logs and metrics. */
  readonly version: string;
  /** Opens (creating it if needed) the SQLite database at `path`, or ":memory:". */
  openSqlite(path: string): SqliteConnection;
  serve(options: ServeOptions): HttpServer;
  /** A file's bytes, as chunks, read as they are consumed. */
  readFile(path: string): AsyncIterable<Uint8Array>;
  writeFile(path: string): FileSink;
  /** A request body that streams a file from disk. */
  fileBody(path: string): Blob | ReadableStream<Uint8Array>;
  /** A stream that decompresses gzip or zstd (one frame or several in a row, as a rotating writer leaves them). */
  decompressor(kind: "gzip" | "zstd"): ReadableWritablePair<Uint8Array, Uint8Array>;
  /** A UUIDv7: time-ordered, and increasing within a millisecond (jobs are claimed in id order). */
  uuidv7(): string;
}
