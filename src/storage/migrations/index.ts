/**
 * The migrations, embedded into the program (and so into the compiled binary) as
 * text. drizzle-kit writes the .sql files and meta/_journal.json; each journal
 * entry needs one line in SQL_BY_TAG below (a test checks that none is missing).
 */
import { createHash } from "node:crypto";
import type { MigrationMeta } from "drizzle-orm/migrator";
import journal from "./meta/_journal.json" with { type: "json" };
import init from "./0000_init.sql" with { type: "text" };
import traceSummaries from "./0001_trace_summaries.sql" with { type: "text" };
import spanSchemaUrls from "./0002_span_schema_urls_dropped_counts.sql" with { type: "text" };

const SQL_BY_TAG: Record<string, string> = {
  "0000_init": init,
  "0001_trace_summaries": traceSummaries,
  "0002_span_schema_urls_dropped_counts": spanSchemaUrls,
};

/** The journal's tags, in order; exported for the completeness test. */
export const MIGRATION_TAGS: string[] = journal.entries.map((e) => e.tag);

/** Migrations in the shape drizzle's dialect.migrate() takes from its folder reader. */
export function embeddedMigrations(): MigrationMeta[] {
  return journal.entries.map((entry) => {
    const query = SQL_BY_TAG[entry.tag];
    if (query === undefined) throw new Error(`migration ${entry.tag} is in the journal but not embedded`);
    return {
      sql: query.split("--> statement-breakpoint"),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash("sha256").update(query).digest("hex"),
    };
  });
}
