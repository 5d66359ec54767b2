/**
 * Opens the SQLite store: pragmas once, here, then the embedded migrations.
 * Everything else receives the opened Store and never opens a connection itself.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { platform } from "../runtime/index.ts";
import { embeddedMigrations } from "./migrations/index.ts";
import * as schema from "./schema.ts";
import { drizzleOver, type Db } from "./sqlite/drizzle-over.ts";
import type { SqliteConnection } from "./sqlite/sqlite-connection.ts";

export type { Db };

export interface Store {
  /** drizzle, for everything off the hot path. */
  db: Db;
  /** The raw connection, for prepared statements on the span-insert hot path. */
  sqlite: SqliteConnection;
  /** Absolute-or-relative data directory; spooled uploads live in its `uploads/`. */
  dataDir: string;
  close(): void;
}

/** Opens (creating if needed) the store in `dataDir`, or an in-memory one for ":memory:". */
export function openStore(dataDir: string): Store {
  const inMemory = dataDir === ":memory:";
  if (!inMemory) mkdirSync(join(dataDir, "uploads"), { recursive: true });
  const sqlite = platform.openSqlite(inMemory ? ":memory:" : join(dataDir, "traceport.db"));
  // WAL lets the SSE readers and the importer work at the same time; NORMAL is
  // durable across process crashes in WAL mode (only an OS crash can lose the
  // last commits); busy_timeout covers a second process such as a backup.
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA foreign_keys = ON");
  const db = drizzleOver(sqlite, schema);
  // drizzle's own migrator reads a folder; the binary has none, so hand the
  // embedded migrations to the same dialect method that migrator calls.
  const internals = db as unknown as { dialect: { migrate(m: unknown, s: unknown, c: unknown): void }; session: unknown };
  internals.dialect.migrate(embeddedMigrations(), internals.session, {});
  return { db, sqlite, dataDir, close: () => sqlite.close() };
}
