/**
 * Builds dist/traceport-deno: traceport as a Deno single executable
 * (`deno compile`). The Bun executable (scripts/build.ts) stays the one we
 * ship; this one exists so that the Deno path can be shipped where Deno's
 * runtime can be had.
 *
 * `deno compile` puts the program on top of denort, Deno's runtime without its
 * tooling. The npm package `deno` does not contain it: deno downloads it from
 * dl.deno.land, or takes the file DENORT_BIN names. Where neither works, this
 * script says so and exits 1, without leaving anything half-built.
 *
 * - `--include src/import/read-worker.ts`: the import's reader thread is a
 *   Worker, which the module graph does not reach.
 * - `--exclude node_modules/bintrees/test`: deno 2.9 overflows its stack on a
 *   2 MB test file there (prom-client → tdigest → bintrees; denoland/deno#36746).
 * - `--no-check`: the source is type-checked by tsc (`npm run typecheck`)
 *   against Bun's types; Deno's own lib types disagree in details.
 * - deno.json supplies the unstable flags (raw-imports, no-legacy-abort).
 * - deno embeds node_modules whole: build from a production install
 *   (`npm ci --omit=dev`) to keep the executable small.
 *
 *   bun scripts/build-deno.ts [OUTFILE]
 */
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const outfile = resolve(process.argv[2] ?? join(root, "dist", "traceport-deno"));
const deno = join(root, "node_modules", ".bin", "deno");
if (!existsSync(deno)) {
  console.error("build:deno: deno is not installed; run `npm install` (it comes from the npm registry as the package `deno`).");
  process.exit(1);
}
const version = Bun.spawnSync([deno, "--version"]).stdout.toString().split("\n")[0]!.split(" ")[1]!;
const given = process.env.DENORT_BIN;
if (given && !existsSync(given)) {
  console.error(`build:deno: DENORT_BIN=${given} does not exist.`);
  process.exit(1);
}
mkdirSync(dirname(outfile), { recursive: true });
const started = performance.now();
const args = [deno, "compile", "--allow-all", "--no-check", "--config", join(root, "deno.json"), "--include", join(root, "src/import/read-worker.ts"), "--exclude", join(root, "node_modules/bintrees/test"), "--output", outfile, join(root, "src/main.ts")];
const r = Bun.spawnSync(args, { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
const err = r.stderr.toString();
if (r.exitCode !== 0) {
  rmSync(`${outfile}.tmp`, { force: true });
  if (/dl\.deno\.land|denort/i.test(err)) {
    console.error(
      [
        `build:deno: deno compile needs denort, Deno ${version}'s runtime for this platform, and could not get it:`,
        (err.split("\n").find((l) => /error sending request|dns error/i.test(l)) ?? err).trim(),
        "",
        `It is downloaded from https://dl.deno.land/release/v${version}/ (denort-<target>.zip), which this machine cannot reach.`,
        `Fetch that zip where you can, unzip it, and run again with DENORT_BIN=/path/to/denort.`,
        "Nothing was built. The Bun executable (`npm run build`) does not need it.",
      ].join("\n"),
    );
  } else {
    console.error(`build:deno: deno compile failed:\n${err}`);
  }
  process.exit(1);
}
console.log(`${outfile}: ${(statSync(outfile).size / 1024 / 1024).toFixed(1)} MiB in ${Math.round(performance.now() - started)} ms (deno ${version})`);
