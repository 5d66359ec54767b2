import { describe, expect, test } from "bun:test";
import { bindWarning, ConfigError, parseSize, resolveConfig } from "../../../src/config/settings.ts";

describe("resolveConfig", () => {
  test("defaults match the documented ones", () => {
    const c = resolveConfig({}, {});
    expect(c.port).toBe(8787);
    expect(c.host).toBe("127.0.0.1");
    expect(c.dataDir).toBe("./traceport-data");
    expect(c.workers).toBe(2);
    expect(c.heartbeatSeconds).toBe(15);
    expect(c.corsOrigins).toEqual([]);
  });

  test("environment overrides defaults, flags override environment", () => {
    const env = { TRACEPORT_PORT: "9000", TRACEPORT_WORKERS: "4", TRACEPORT_CORS_ORIGINS: "http://a.test, http://b.test" };
    const c = resolveConfig({ port: "9100" }, env);
    expect(c.port).toBe(9100);
    expect(c.workers).toBe(4);
    expect(c.corsOrigins).toEqual(["http://a.test", "http://b.test"]);
  });

  test("a bad value names its source", () => {
    expect(() => resolveConfig({}, { TRACEPORT_WORKERS: "many" })).toThrow(/TRACEPORT_WORKERS: expected a whole number/);
    expect(() => resolveConfig({ port: "70000" }, {})).toThrow(ConfigError);
    expect(() => resolveConfig({ workers: "-1" }, {})).toThrow(/--workers/);
    expect(() => resolveConfig({ workers: "65" }, {})).toThrow(ConfigError);
  });

  test("--workers 0 is a serve-only instance", () => {
    expect(resolveConfig({ workers: "0" }, {}).workers).toBe(0);
  });
});

test("parseSize understands binary units", () => {
  expect(parseSize("512")).toBe(512);
  expect(parseSize("64k")).toBe(65536);
  expect(parseSize("2G")).toBe(2 * 1024 ** 3);
  expect(() => parseSize("lots")).toThrow(ConfigError);
});

test("binding beyond loopback without a token warns; with a token, or on loopback, it does not", () => {
  expect(bindWarning({ host: "0.0.0.0", token: null })).toContain("no TRACEPORT_TOKEN is set");
  expect(bindWarning({ host: "192.168.1.5", token: null })).toContain("bound to 192.168.1.5");
  expect(bindWarning({ host: "0.0.0.0", token: "a-long-enough-token" })).toBeNull();
  for (const host of ["127.0.0.1", "localhost", "::1", "127.0.0.2"]) expect(bindWarning({ host, token: null })).toBeNull();
});

test("settings for auth, limits and retention parse and refuse bad values", () => {
  const c = resolveConfig({}, { TRACEPORT_TOKEN: "0123456789abcdef", TRACEPORT_TRUST_PROXY: "yes", TRACEPORT_KEEP_UPLOADS: "all", TRACEPORT_RETAIN_DAYS: "0", TRACEPORT_MAX_SSE: "5", TRACEPORT_MAX_QUEUED: "7" });
  expect([c.token, c.trustProxy, c.keepUploads, c.retainDays, c.maxSseConnections, c.maxQueuedJobs]).toEqual(["0123456789abcdef", true, "all", 0, 5, 7]);
  const d = resolveConfig({}, {});
  expect([d.token, d.trustProxy, d.keepUploads, d.retainDays, d.maxSseConnections, d.maxQueuedJobs]).toEqual([null, false, "failed", 30, 10_000, 1000]);
  expect(() => resolveConfig({}, { TRACEPORT_TOKEN: "short" })).toThrow(/TRACEPORT_TOKEN: a token needs at least 16 characters/);
  expect(() => resolveConfig({}, { TRACEPORT_KEEP_UPLOADS: "some" })).toThrow(/expected one of "all", "failed", "none"/);
  expect(() => resolveConfig({ trustProxy: "maybe" }, {})).toThrow(/--trust-proxy: expected true or false/);
});

test("the README's configuration table lists every setting with its flag, variable and default", async () => {
  const { SETTINGS } = await import("../../../src/config/settings.ts");
  const readme = await Bun.file(new URL("../../../README.md", import.meta.url)).text();
  const show = (v: unknown) => (v === null || (Array.isArray(v) && v.length === 0) ? "(none)" : `\`${v === 4 * 1024 ** 3 ? "4g" : String(v)}\``);
  for (const s of SETTINGS) {
    expect(readme).toContain(`| \`${s.flag}\` | \`${s.env}\` | ${show(s.default)} |`);
  }
});
