/**
 * Builds dist/traceport: one executable with the migrations, htmx, its SSE
 * extension and the stylesheet inside (they are imported `with { type }` by
 * the source, so the bundler embeds them). Run with `npm run build`;
 * `bun scripts/build.ts OUTFILE` writes elsewhere.
 *
 * - --minify-whitespace/--minify-syntax, not --minify: names stay readable in stack traces.
 * - --bytecode: faster cold start; needs an export-free entry (src/main.ts is).
 *   --format esm with it: as CommonJS bytecode the reader thread's entry
 *   cannot resolve its packages inside the executable (measured with Bun 1.4.5).
 * - src/import/read-worker.ts is a second entry point: the import's reader
 *   thread (`new Worker(...)`) must be inside the executable.
 * - no .env or bunfig.toml autoload: the binary reads only its flags and environment.
 */
import { $ } from "bun";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

const outfile = resolve(process.argv[2] ?? "dist/traceport");
mkdirSync(dirname(outfile), { recursive: true });
const started = performance.now();
await $`${process.execPath} build src/main.ts src/import/read-worker.ts --compile --bytecode --format esm --minify-whitespace --minify-syntax --no-compile-autoload-dotenv --no-compile-autoload-bunfig --outfile ${outfile}`
  .cwd(resolve(import.meta.dir, ".."))
  .quiet();
const size = Bun.file(outfile).size;
console.log(`${outfile}: ${(size / 1024 / 1024).toFixed(1)} MiB in ${Math.round(performance.now() - started)} ms`);
