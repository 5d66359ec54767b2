// traceport's entry point. It exports nothing: `bun build --compile --bytecode` needs that.
import { Command, Option } from "commander";
import { bindWarning, ConfigError, resolveConfig, SETTINGS, type Config } from "./config/settings.ts";
import { runImportCommand } from "./cli/import-command.ts";
import { FORMAT_OPTIONS } from "./formats/registry.ts";
import { platform } from "./runtime/index.ts";
import { startServer } from "./server.ts";
import { createLogger } from "./util/logger.ts";
import { VERSION } from "./version.ts";

function serve(flags: Partial<Record<keyof Config, string>>): void {
  let config: Config;
  try {
    config = resolveConfig(flags, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`traceport: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ format: config.logFormat });
  const server = startServer(config, logger);
  logger.info("traceport listening", { url: server.url, dataDir: config.dataDir, workers: config.workers, version: VERSION, runtime: `${platform.runtime} ${platform.version}`, sqlite: server.ctx.store.sqlite.driver });
  const warning = bindWarning(config);
  if (warning) logger.warn(warning);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) {
      logger.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    logger.info("shutting down: running jobs go back to the queue", { signal });
    const force = setTimeout(() => {
      logger.error("shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, 10_000);
    server.stop().then(() => {
      clearTimeout(force);
      process.exit(0);
    });
  };
  // One bad request or job must not take every other one down with it.
  process.on("unhandledRejection", (reason) => logger.error("unhandled rejection", { error: String(reason) }));
  process.on("uncaughtException", (err) => logger.error("uncaught exception", { error: err.message, stack: err.stack }));
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

const program = new Command()
  .name("traceport")
  .description("Import trace files and watch the import live.")
  .version(VERSION, "-v, --version");

const serveCommand = program.command("serve", { isDefault: true }).description("run the server (the default command)");
const serveOptions = SETTINGS.map((s) => {
  const placeholder = s.key === "corsOrigins" ? "<origins>" : "<value>";
  const option = new Option(`${s.flag} ${placeholder}`, `${s.description} [env ${s.env}, default ${JSON.stringify(s.default)}]`);
  serveCommand.addOption(option);
  return { key: s.key, option };
});
serveCommand.action((opts: Record<string, string | undefined>) => {
  // commander names each value after its flag (--max-upload → maxUpload);
  // resolveConfig takes them by Config key (maxUploadBytes).
  const flags: Partial<Record<keyof Config, string>> = {};
  for (const { key, option } of serveOptions) {
    const value = opts[option.attributeName()];
    if (value !== undefined) flags[key] = value;
  }
  serve(flags);
});

program
  .command("import")
  .description("import trace files: into a server with --server, else into the local data directory; shows live progress, then the report")
  .argument("<files...>", "trace files (OTLP JSON, JSON Lines or protobuf, Collector file exporter output, Jaeger, Zipkin; optionally gzip or zstd)")
  .addOption(new Option("--server <url>", "traceport server to upload to, e.g. http://127.0.0.1:8787").env("TRACEPORT_SERVER"))
  .addOption(new Option("--token <token>", "API token of that server").env("TRACEPORT_TOKEN"))
  .addOption(new Option("--format <format>", "file format").choices(["auto", ...FORMAT_OPTIONS.filter((f) => f !== "auto")]).default("auto"))
  .option("--strict", "fail at the first bad record and keep nothing", false)
  .option("--json", "print the results as JSON on stdout", false)
  .addOption(new Option("--data-dir <dir>", "local data directory (without --server)").env("TRACEPORT_DATA_DIR").default("./traceport-data"))
  .action(async (files: string[], o: { server?: string; token?: string; format: string; strict: boolean; json: boolean; dataDir: string }) => {
    const code = await runImportCommand(files, { ...o, workers: 1 }, {
      out: (t) => process.stdout.write(t),
      err: (t) => process.stderr.write(t),
      tty: process.stderr.isTTY === true,
    });
    process.exit(code);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`traceport: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
