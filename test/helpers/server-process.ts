/**
 * traceport as a separate process: under Bun, under Deno, or as the compiled
 * binary, started on a free loopback port and awaited until it listens. The
 * runtime tests (test/runtime) pick the runtime with TRACEPORT_TEST_RUNTIME;
 * the tests themselves always run in `bun test`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "..", "..");

export type RuntimeName = "bun" | "deno";
const RUNTIMES: readonly RuntimeName[] = ["bun", "deno"];

/** What runs the server: a runtime by name, or a compiled executable. */
export type ServerCommand = RuntimeName | { binary: string };

/** TRACEPORT_TEST_RUNTIME (default `bun`); anything else is an error that says what is allowed. */
export function selectedRuntime(): RuntimeName {
  const raw = (process.env.TRACEPORT_TEST_RUNTIME ?? "").trim() || "bun";
  if (!(RUNTIMES as readonly string[]).includes(raw)) {
    throw new Error(`TRACEPORT_TEST_RUNTIME=${raw} is not a runtime the tests know: use one of ${RUNTIMES.join(", ")} (or leave it unset for bun)`);
  }
  return raw as RuntimeName;
}

/** The deno executable installed by `npm install` (the pinned `deno` devDependency). */
export function denoPath(): string {
  const path = join(REPO, "node_modules", ".bin", "deno");
  if (!existsSync(path)) {
    throw new Error(`TRACEPORT_TEST_RUNTIME=deno needs Deno at node_modules/.bin/deno and it is not there: run \`npm install\` (it installs the pinned deno package from the npm registry)`);
  }
  return path;
}

/** The argv that starts `serve` on port 0 under the given runtime. */
export function serveCommand(what: ServerCommand, args: string[] = []): string[] {
  const main = join(REPO, "src", "main.ts");
  if (typeof what === "object") return [what.binary, "--port", "0", ...args];
  if (what === "bun") return [process.execPath, main, "serve", "--port", "0", ...args];
  if (what === "deno") return [denoPath(), "run", "--allow-all", "--config", join(REPO, "deno.json"), main, "serve", "--port", "0", ...args];
  throw new Error(`unknown runtime ${String(what)}`);
}

export interface ServerProcessOptions {
  /** Default: TRACEPORT_TEST_RUNTIME. */
  runtime?: ServerCommand;
  /** Working directory; default: a fresh temporary directory. */
  cwd?: string;
  /** More serve flags, e.g. ["--workers", "1"]. */
  args?: string[];
  /** Added to a minimal environment (PATH and HOME only). */
  env?: Record<string, string>;
  /**
   * Passed as --data-dir. Default: a fresh temporary directory. `null` passes
   * none, so the server uses its default (./traceport-data under cwd).
   */
  dataDir?: string | null;
  /** How long to wait for the listening line; default 15 s (Bun, binary) or 60 s (Deno). */
  startTimeoutMs?: number;
}

export interface ServerProcess {
  proc: ReturnType<typeof Bun.spawn>;
  /** http://127.0.0.1:PORT */
  base: string;
  dataDir: string;
  runtime: string;
  /** Everything the process wrote so far (stderr and stdout). */
  log(): string;
  /** Sends the signal and waits (at most timeoutMs, default 15 s) for the exit code; kills it with SIGKILL if it will not go. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
}

const running = new Set<ServerProcess>();
const temporary: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** Where Deno keeps its caches during the tests: shared by every start, so only the first one compiles. */
function denoDir(): string {
  const dir = join(tmpdir(), "traceport-test-deno-dir");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function runtimeLabel(what: ServerCommand): string {
  return typeof what === "object" ? "binary" : what;
}

/** Starts the server and resolves once it logs `listening url=…`; rejects with its log if it exits or takes too long. */
export async function startServerProcess(opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  const what = opts.runtime ?? selectedRuntime();
  const cwd = opts.cwd ?? tempDir("traceport-proc-");
  const dataDir = opts.dataDir === undefined ? tempDir("traceport-data-") : opts.dataDir;
  const args = [...(dataDir === null ? [] : ["--data-dir", dataDir]), ...(opts.args ?? [])];
  const env: Record<string, string> = { PATH: "/usr/bin:/bin", HOME: cwd };
  if (what === "deno") Object.assign(env, { DENO_DIR: denoDir(), DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" });
  // The SQLite driver choice reaches the server (TRACEPORT_SQLITE=node runs it on node:sqlite under Bun too).
  if (process.env.TRACEPORT_SQLITE) env.TRACEPORT_SQLITE = process.env.TRACEPORT_SQLITE;
  Object.assign(env, opts.env);
  const argv = serveCommand(what, args);
  const proc = Bun.spawn(argv, { cwd, env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });

  let text = "";
  let onOutput: () => void = () => {};
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    // Read to the end, always, so the pipe never fills and blocks the server.
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      onOutput();
    }
  };
  const drained = Promise.all([drain(proc.stdout as ReadableStream<Uint8Array>), drain(proc.stderr as ReadableStream<Uint8Array>)]).catch(() => {});

  const label = runtimeLabel(what);
  const timeoutMs = opts.startTimeoutMs ?? (what === "deno" ? 60_000 : 15_000);
  const listening = /listening url=(http:\/\/\S+)/;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const base = await new Promise<string>((resolvePromise, reject) => {
      const check = () => {
        const m = listening.exec(text);
        if (m) resolvePromise(m[1]!);
      };
      onOutput = check;
      check();
      timer = setTimeout(() => reject(new Error(`traceport (${label}) did not log "listening" within ${timeoutMs} ms.\ncommand: ${argv.join(" ")}\nlog:\n${text}`)), timeoutMs);
      void proc.exited.then(async (code) => {
        await drained;
        check();
        reject(new Error(`traceport (${label}) exited with code ${code} before listening.\ncommand: ${argv.join(" ")}\nlog:\n${text}`));
      });
    });
    const server: ServerProcess = {
      proc,
      base,
      dataDir: dataDir ?? join(cwd, "traceport-data"),
      runtime: label,
      log: () => text,
      async stop(signal = "SIGTERM", stopTimeoutMs = 15_000) {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
        let t: ReturnType<typeof setTimeout> | undefined;
        const code = await Promise.race([proc.exited, new Promise<null>((r) => (t = setTimeout(() => r(null), stopTimeoutMs)))]);
        clearTimeout(t);
        running.delete(server);
        if (code === null) {
          proc.kill("SIGKILL");
          await proc.exited;
          throw new Error(`traceport (${label}) did not exit within ${stopTimeoutMs} ms of ${signal}; killed it.\nlog:\n${text}`);
        }
        await drained;
        return code;
      },
    };
    running.add(server);
    void proc.exited.then(() => running.delete(server));
    return server;
  } catch (err) {
    proc.kill("SIGKILL");
    await proc.exited;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** For afterAll: SIGKILLs every server still running and removes the temporary directories made for them. */
export async function stopAllServerProcesses(): Promise<void> {
  for (const s of [...running]) {
    s.proc.kill("SIGKILL");
    await s.proc.exited;
    running.delete(s);
  }
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
}
