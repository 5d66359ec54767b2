/**
 * The SQLite driver as storage uses it: the part of Bun's SQLite Database
 * that traceport needs, which node:sqlite (Deno, and Bun when asked) is
 * adapted to (node-sqlite.ts). The runtime seam (src/runtime/) opens one;
 * storage code only ever sees this interface.
 *
 * Contract, whichever driver:
 * - `get` returns null for no row; rows are plain objects keyed by column name;
 *   `values` returns rows as arrays in column order.
 * - Parameters are positional (`?`) or one object of named parameters written
 *   `$name` in SQL and `name` in the object. Booleans bind as 1/0.
 * - Integers beyond 2^53 are never read as numbers: read such columns as text
 *   (`CAST(x AS TEXT)`); Bun's driver would round them, node:sqlite throws.
 * - `transaction(fn)` returns a function that runs fn inside BEGIN … COMMIT
 *   (ROLLBACK when it throws); nested calls use savepoints.
 */
export type SqliteValue = string | number | bigint | boolean | null | Uint8Array;
export type SqliteParams = SqliteValue[] | [Record<string, SqliteValue>];

export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  run(...params: SqliteParams): SqliteRunResult;
  get(...params: SqliteParams): unknown;
  all(...params: SqliteParams): unknown[];
  values(...params: SqliteParams): unknown[][];
}

/** What `transaction(fn)` returns: fn wrapped in a transaction, with its BEGIN mode variants. */
export type Transaction<F extends (...args: never[]) => unknown> = F & { deferred: F; immediate: F; exclusive: F };

export interface SqliteConnection {
  /** Which driver: "node:sqlite", or Bun's own. For logs, metrics and tests. */
  readonly driver: string;
  prepare(sql: string): SqliteStatement;
  /** A prepared statement cached by its SQL text. */
  query(sql: string): SqliteStatement;
  exec(sql: string): void;
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  close(): void;
}
