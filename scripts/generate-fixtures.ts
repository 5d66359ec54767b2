/**
 * Generates the trace fixtures in test/fixtures/traces/generated with the real
 * OpenTelemetry JS SDK (see scripts/otel-fixtures.ts and the SOURCES.md it
 * writes there):
 *
 *   bun scripts/generate-fixtures.ts          # into test/fixtures/traces/generated
 *   bun scripts/generate-fixtures.ts <dir>    # into another directory
 *   bun scripts/generate-fixtures.ts --long <dir>  # also the (uncommitted) long-line files, into <dir>
 */
import { resolve } from "node:path";
import { GENERATED_DIR, generateFixtures, writeLongLineFiles } from "./otel-fixtures.ts";

const args = process.argv.slice(2);
const longAt = args.indexOf("--long");
const longDir = longAt === -1 ? null : args[longAt + 1];
if (longAt !== -1 && !longDir) {
  console.error("usage: bun scripts/generate-fixtures.ts [dir] [--long <dir>]");
  process.exit(2);
}
const rest = args.filter((_, i) => longAt === -1 || (i !== longAt && i !== longAt + 1));
const dir = resolve(rest[0] ?? GENERATED_DIR);

const expected = await generateFixtures(dir);
for (const [name, e] of Object.entries(expected)) {
  console.log(`${name.padEnd(50)} ${String(e.bytes).padStart(8)} B  ${e.format}${e.compression ? ` (${e.compression})` : ""}  ${e.traces} traces, ${e.spans} spans`);
}
console.log(`wrote ${Object.keys(expected).length} files, expected-counts.json and SOURCES.md to ${dir}`);

if (longDir) {
  const long = await writeLongLineFiles(resolve(longDir));
  for (const [name, { expected: e }] of Object.entries(long)) {
    console.log(`${name.padEnd(50)} ${String(e.bytes).padStart(8)} B  ${e.format}${e.compression ? ` (${e.compression})` : ""}  ${e.traces} traces, ${e.spans} spans, largest message ${e.max_message_bytes} B`);
  }
}
