/**
 * Every runtime setting, defined once: its flag, its environment variable, its
 * default and how it is parsed. The CLI, the README table and the tests all read
 * this list, so a setting cannot exist in one place and be missing in another.
 */

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  workers: number;
  heartbeatSeconds: number;
  corsOrigins: string[];
  maxUploadBytes: number;
  logFormat: "text" | "json";
  /** Turns authentication on: the API needs it as a Bearer token, browsers log in with it. */
  token: string | null;
  /** Trust X-Forwarded-Proto from a reverse proxy (Secure cookies behind TLS termination). */
  trustProxy: boolean;
  maxSseConnections: number;
  maxQueuedJobs: number;
  /** Finished jobs older than this many days are removed with their files; 0 keeps them. */
  retainDays: number;
  /** Which finished imports keep their uploaded file (for retry). */
  keepUploads: KeepUploads;
}

export type KeepUploads = "all" | "failed" | "none";

export interface SettingSpec<K extends keyof Config = keyof Config> {
  key: K;
  flag: string;
  env: string;
  default: Config[K];
  description: string;
  parse: (raw: string) => Config[K];
}

/** A setting value that could not be parsed; the message names the setting. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

function integer(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`expected a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
}

function positiveNumber(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`expected a positive number, got "${raw}"`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** Parses "500", "64k", "512m", "2g" (binary units) into bytes. */
export function parseSize(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ConfigError(`expected a size like 512m or 2g, got "${raw}"`);
  return Math.floor(Number(m[1]) * unit);
}

function bool(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(`expected true or false, got "${raw}"`);
}

function oneOf<T extends string>(...values: T[]) {
  return (raw: string): T => {
    if (!values.includes(raw as T)) throw new ConfigError(`expected one of ${values.map((v) => `"${v}"`).join(", ")}, got "${raw}"`);
    return raw as T;
  };
}

function token(raw: string): string {
  if (raw.length < 16) throw new ConfigError("a token needs at least 16 characters");
  if (/\s/.test(raw)) throw new ConfigError("a token cannot contain spaces");
  return raw;
}

function list(raw: string): string[] {
  return raw.split(",").map((s) => s.trim()).filter(Boolean);
}

function define<K extends keyof Config>(spec: SettingSpec<K>): SettingSpec<K> {
  return spec;
}

export const SETTINGS = [
  define({ key: "port", flag: "--port", env: "TRACEPORT_PORT", default: 8787, description: "TCP port to listen on (0 picks a free one)", parse: integer(0, 65535) }),
  define({ key: "host", flag: "--host", env: "TRACEPORT_HOST", default: "127.0.0.1", description: "address to bind", parse: (s) => s }),
  define({ key: "dataDir", flag: "--data-dir", env: "TRACEPORT_DATA_DIR", default: "./traceport-data", description: "where the SQLite store and spooled uploads live", parse: (s) => s }),
  define({ key: "workers", flag: "--workers", env: "TRACEPORT_WORKERS", default: 2, description: "import jobs run at the same time (0: serve only, imports wait in the queue)", parse: integer(0, 64) }),
  define({ key: "heartbeatSeconds", flag: "--heartbeat", env: "TRACEPORT_HEARTBEAT", default: 15, description: "seconds between SSE heartbeat comments", parse: positiveNumber }),
  define({ key: "corsOrigins", flag: "--cors-origins", env: "TRACEPORT_CORS_ORIGINS", default: [] as string[], description: "comma-separated origins allowed to call the API (`*` for any)", parse: list }),
  define({ key: "maxUploadBytes", flag: "--max-upload", env: "TRACEPORT_MAX_UPLOAD", default: 4 * 1024 ** 3, description: "largest accepted upload (e.g. 512m, 4g)", parse: parseSize }),
  define({ key: "logFormat", flag: "--log-format", env: "TRACEPORT_LOG_FORMAT", default: "text" as "text" | "json", description: "log lines as `text` or `json`", parse: oneOf("text", "json") }),
  define({ key: "token", flag: "--token", env: "TRACEPORT_TOKEN", default: null as string | null, description: "turns authentication on: API calls send it as a Bearer token, browsers log in with it (16+ characters)", parse: token }),
  define({ key: "trustProxy", flag: "--trust-proxy", env: "TRACEPORT_TRUST_PROXY", default: false, description: "trust X-Forwarded-Proto from a reverse proxy (Secure cookies behind TLS termination)", parse: bool }),
  define({ key: "maxSseConnections", flag: "--max-sse", env: "TRACEPORT_MAX_SSE", default: 10_000, description: "open SSE connections at most; more get 503 with Retry-After", parse: integer(1, 1_000_000) }),
  define({ key: "maxQueuedJobs", flag: "--max-queued", env: "TRACEPORT_MAX_QUEUED", default: 1000, description: "jobs waiting in the queue at most; more imports get 429", parse: integer(1, 1_000_000) }),
  define({ key: "retainDays", flag: "--retain-days", env: "TRACEPORT_RETAIN_DAYS", default: 30, description: "finished jobs older than this many days are removed, with their files (their spans stay); 0 keeps them", parse: integer(0, 36_500) }),
  define({ key: "keepUploads", flag: "--keep-uploads", env: "TRACEPORT_KEEP_UPLOADS", default: "failed" as KeepUploads, description: "which finished imports keep their uploaded file for retry: `failed` (and cancelled), `all` or `none`", parse: oneOf<KeepUploads>("all", "failed", "none") }),
] as const satisfies readonly SettingSpec[];

/**
 * Resolves the configuration: a flag wins over an environment variable, which
 * wins over the default. `flags` holds raw strings keyed by Config key.
 */
export function resolveConfig(flags: Partial<Record<keyof Config, string>>, env: Record<string, string | undefined>): Config {
  const out: Record<string, unknown> = {};
  for (const spec of SETTINGS) {
    const raw = flags[spec.key] ?? env[spec.env];
    if (raw === undefined || raw === "") {
      out[spec.key] = spec.default;
      continue;
    }
    try {
      out[spec.key] = spec.parse(raw);
    } catch (err) {
      const source = flags[spec.key] !== undefined ? spec.flag : spec.env;
      throw new ConfigError(`${source}: ${(err as Error).message}`);
    }
  }
  return out as unknown as Config;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The warning to print when the server is reachable from other machines with no token, else null. */
export function bindWarning(config: Pick<Config, "host" | "token">): string | null {
  if (LOOPBACK.has(config.host) || /^127\./.test(config.host) || config.token) return null;
  return `traceport is bound to ${config.host}, reachable from other machines, and no TRACEPORT_TOKEN is set: anyone who can reach it can import, delete and read traces. Set --token (or TRACEPORT_TOKEN), or bind 127.0.0.1.`;
}
