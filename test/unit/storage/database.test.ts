import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../../src/storage/database.ts";
import { MIGRATION_TAGS } from "../../../src/storage/migrations/index.ts";

test("every generated migration file is embedded", () => {
  const files = readdirSync(join(import.meta.dir, "..", "..", "..", "src", "storage", "migrations")).filter((f) => f.endsWith(".sql"));
  expect(files.map((f) => f.replace(/\.sql$/, "")).sort()).toEqual([...MIGRATION_TAGS].sort());
});

test("opening twice migrates once and sets the pragmas", () => {
  const dir = mkdtempSync(join(tmpdir(), "traceport-db-"));
  try {
    const a = openStore(dir);
    a.close();
    const b = openStore(dir);
    const pragma = (name: string) => Object.values(b.sqlite.query(`PRAGMA ${name}`).get() as object)[0];
    expect(pragma("journal_mode")).toBe("wal");
    expect(pragma("foreign_keys")).toBe(1);
    expect(pragma("synchronous")).toBe(1); // NORMAL
    const applied = b.sqlite.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
    expect(applied.n).toBe(MIGRATION_TAGS.length);
    const tables = b.sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["jobs", "job_events", "spans"]));
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
