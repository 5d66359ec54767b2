import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, type Config } from "../../src/config/settings.ts";
import { startServer, type RunningServer, type StartOptions } from "../../src/server.ts";
import { silentLogger } from "../../src/util/logger.ts";

export interface TestServer extends RunningServer {
  dataDir: string;
  dispose(): Promise<void>;
}

/** The real server on a random loopback port with a fresh data directory. */
export function startTestServer(overrides: Partial<Config> & StartOptions = {}): TestServer {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), "traceport-it-"));
  const { idleTimeoutSeconds, runJobs, ...rest } = overrides;
  const config: Config = { ...resolveConfig({}, {}), port: 0, host: "127.0.0.1", ...rest, dataDir };
  const server = startServer(config, silentLogger, { idleTimeoutSeconds, runJobs });
  return {
    ...server,
    dataDir,
    async dispose() {
      await server.stop();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Uploads a file as multipart/form-data and returns the 202 body. */
export async function upload(base: string, path: string, fields: Record<string, string> = {}): Promise<{ id: string; status: string }> {
  const form = new FormData();
  form.append("file", Bun.file(path), path.split("/").pop());
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${base}/api/imports`, { method: "POST", body: form });
  if (res.status !== 202) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; status: string };
}
