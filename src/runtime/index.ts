/**
 * The platform this process runs on (platform.ts). Each side is loaded only on
 * its own runtime, so neither's built-in modules are ever resolved by the other.
 */
import type { Platform } from "./platform.ts";

export type { FileSink, HttpServer, Platform, ServeOptions } from "./platform.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

export const platform: Platform = isBun ? (await import("./bun/platform.ts")).bunPlatform : (await import("./deno/platform.ts")).denoPlatform;
