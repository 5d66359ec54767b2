/** The Bun side of the runtime seam (../platform.ts). */
import { Database } from "bun:sqlite";
import { NodeSqliteConnection } from "../../storage/sqlite/node-sqlite.ts";
import type { SqliteConnection } from "../../storage/sqlite/sqlite-connection.ts";
import type { HttpServer, Platform, ServeOptions } from "../platform.ts";

/**
 * bun:sqlite, or node:sqlite with TRACEPORT_SQLITE=node (the driver Deno uses,
 * so the whole Bun suite can be run against it). bun:sqlite's Database has the
 * SqliteConnection shape already; `strict` lets named parameters be bound
 * without their `$` and makes a missing parameter an error.
 */
function openSqlite(path: string): SqliteConnection {
  const choice = process.env.TRACEPORT_SQLITE ?? "bun";
  if (choice === "node") return new NodeSqliteConnection(path);
  if (choice !== "bun") throw new Error(`TRACEPORT_SQLITE=${choice}: expected "bun" (bun:sqlite, the default) or "node" (node:sqlite)`);
  const db = new Database(path, { create: true, strict: true });
  return Object.assign(db, { driver: "bun:sqlite" }) as unknown as SqliteConnection;
}

function serve(o: ServeOptions): HttpServer {
  const server = Bun.serve({
    port: o.port,
    hostname: o.hostname,
    // Otherwise a second instance on the same port would start silently and
    // take half the connections.
    reusePort: false,
    // Uploads are streamed to disk and the limit is enforced there, with a JSON
    // 413; Bun's own limit (a plain-text 413, default 128 MiB) must never fire first.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: o.idleTimeoutSeconds,
    fetch: (request) => o.fetch(request),
  });
  return {
    hostname: server.hostname ?? o.hostname,
    port: server.port ?? o.port,
    keepOpen: (request) => server.timeout(request, 0),
    clientAddress: (request) => server.requestIP(request)?.address ?? null,
    stop: (closeActive = false) => server.stop(closeActive),
  };
}

export const bunPlatform: Platform = {
  runtime: "bun",
  version: Bun.version,
  openSqlite,
  serve,
  readFile: (path) => Bun.file(path).stream(),
  writeFile(path) {
    const sink = Bun.file(path).writer({ highWaterMark: 1 << 20 });
    return {
      write: (chunk) => {
        sink.write(chunk);
      },
      flush: async () => {
        await sink.flush();
      },
      end: async () => {
        await sink.end();
      },
    };
  },
  fileBody: (path) => Bun.file(path),
  // Bun's DecompressionStream takes "zstd" as well as "gzip".
  decompressor: (kind) => new DecompressionStream(kind as "gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
  uuidv7: () => Bun.randomUUIDv7(),
};
