import { describe, expect, test } from "bun:test";
import { ConfigError, parseSize, resolveConfig } from "./settings.ts";

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
  });
});

test("parseSize understands binary units", () => {
  expect(parseSize("512")).toBe(512);
  expect(parseSize("64k")).toBe(65536);
  expect(parseSize("2G")).toBe(2 * 1024 ** 3);
  expect(() => parseSize("lots")).toThrow(ConfigError);
});
