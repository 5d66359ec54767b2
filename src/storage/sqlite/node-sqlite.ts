/**
 * node:sqlite's DatabaseSync behind the SqliteConnection contract
 * (sqlite-connection.ts): the driver under Deno, and under Bun with
 * TRACEPORT_SQLITE=node. Where it differs from Bun's driver it is made to
 * agree: a missing row is null (node: undefined), booleans and undefined are
 * bound as 1/0 and NULL (node refuses them), a bigint past int64 is wrapped, `values` reads arrays (a second
 * statement with setReturnArrays, so duplicate column names survive), and
 * transactions are BEGIN/COMMIT/ROLLBACK with savepoints when nested (node
 * has no `.transaction()`).
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { SqliteConnection, SqliteParams, SqliteRunResult, SqliteStatement, SqliteValue, Transaction } from "./sqlite-connection.ts";

type NodeValue = string | number | bigint | null | Uint8Array;
type NodeParams = NodeValue[] | [Record<string, NodeValue>];

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** A bigint outside int64 (an OTLP fixed64 time past 2^63) is stored wrapped, as Bun's driver stores it; node:sqlite would refuse it. */
const outOfInt64 = (v: unknown): v is bigint => typeof v === "bigint" && (v > INT64_MAX || v < INT64_MIN);

function value(v: SqliteValue | undefined): NodeValue {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (outOfInt64(v)) return BigInt.asIntN(64, v);
  return v === undefined ? null : v;
}

/** The parameters node:sqlite accepts; the array is copied only when a value needs changing. */
function bindable(params: SqliteParams): NodeParams {
  const first = params[0];
  if (params.length === 1 && first !== null && typeof first === "object" && !(first instanceof Uint8Array)) {
    const named: Record<string, NodeValue> = {};
    for (const [k, v] of Object.entries(first)) named[k] = value(v);
    return [named];
  }
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (typeof v === "boolean" || v === undefined || outOfInt64(v)) return (params as SqliteValue[]).map(value);
  }
  return params as NodeParams;
}

class NodeStatement implements SqliteStatement {
  private arrays: StatementSync | null = null;

  constructor(
    private readonly db: DatabaseSync,
    private readonly sql: string,
    private readonly stmt: StatementSync,
  ) {}

  run(...params: SqliteParams): SqliteRunResult {
    const r = this.stmt.run(...(bindable(params) as NodeValue[]));
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }

  get(...params: SqliteParams): unknown {
    return this.stmt.get(...(bindable(params) as NodeValue[])) ?? null;
  }

  all(...params: SqliteParams): unknown[] {
    return this.stmt.all(...(bindable(params) as NodeValue[]));
  }

  values(...params: SqliteParams): unknown[][] {
    if (this.arrays === null) {
      this.arrays = this.db.prepare(this.sql);
      this.arrays.setReturnArrays(true);
    }
    return this.arrays.all(...(bindable(params) as NodeValue[])) as unknown as unknown[][];
  }
}

export class NodeSqliteConnection implements SqliteConnection {
  readonly driver = "node:sqlite";
  private readonly db: DatabaseSync;
  private readonly cache = new Map<string, SqliteStatement>();
  private savepoints = 0;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
  }

  prepare(sql: string): SqliteStatement {
    return new NodeStatement(this.db, sql, this.db.prepare(sql));
  }

  query(sql: string): SqliteStatement {
    let s = this.cache.get(sql);
    if (s === undefined) this.cache.set(sql, (s = this.prepare(sql)));
    return s;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F> {
    const wrap = (begin: string): F =>
      ((...args: Parameters<F>) => {
        if (this.db.isTransaction) return this.nested(fn, args);
        this.db.exec(begin);
        try {
          const result = fn(...args);
          this.db.exec("COMMIT");
          return result;
        } catch (err) {
          // SQLite may have rolled back already (SQLITE_FULL, for one).
          if (this.db.isTransaction) this.db.exec("ROLLBACK");
          throw err;
        }
      }) as F;
    const tx = wrap("BEGIN DEFERRED") as Transaction<F>;
    tx.deferred = tx;
    tx.immediate = wrap("BEGIN IMMEDIATE");
    tx.exclusive = wrap("BEGIN EXCLUSIVE");
    return tx;
  }

  /** Closing twice is harmless, as with Bun's driver (node:sqlite would throw). */
  close(): void {
    this.cache.clear();
    if (this.db.isOpen) this.db.close();
  }

  private nested<F extends (...args: never[]) => unknown>(fn: F, args: Parameters<F>): ReturnType<F> {
    const name = `tp_sp${++this.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = fn(...args) as ReturnType<F>;
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      if (this.db.isTransaction) {
        this.db.exec(`ROLLBACK TO ${name}`);
        this.db.exec(`RELEASE ${name}`);
      }
      throw err;
    } finally {
      this.savepoints--;
    }
  }
}
