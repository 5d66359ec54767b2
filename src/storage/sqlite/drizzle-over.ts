/**
 * drizzle over a SqliteConnection, whichever driver is under it.
 *
 * drizzle-orm 0.45 has no node:sqlite driver, and its bun-sqlite entry point
 * (`drizzle-orm/bun-sqlite`) imports Bun's SQLite module, which Deno cannot load. Its
 * session class (`drizzle-orm/bun-sqlite/session`) imports nothing of Bun: it
 * calls prepare/exec/transaction on the client and run/all/values on the
 * statements, which is exactly the SqliteConnection contract. So the database
 * object is put together here the way that entry point does it.
 */
import { createTableRelationsHelpers, extractTablesRelationalConfig } from "drizzle-orm";
import { SQLiteBunSession } from "drizzle-orm/bun-sqlite/session";
import { BaseSQLiteDatabase, SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { SqliteConnection } from "./sqlite-connection.ts";
import type * as schemaModule from "../schema.ts";

type Schema = typeof schemaModule;

export type Db = BaseSQLiteDatabase<"sync", void, Schema>;

export function drizzleOver(client: SqliteConnection, schema: Schema): Db {
  const dialect = new SQLiteSyncDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const relational = { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap };
  const session = new SQLiteBunSession(client as never, dialect, relational, {});
  return new BaseSQLiteDatabase("sync", dialect, session as never, relational) as Db;
}
