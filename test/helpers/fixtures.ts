import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The real trace files the tests import: test/fixtures/traces, in the
 * repository (copied from public projects; SOURCES.md there says from where).
 */
export const FIXTURES_DIR = resolve(join(import.meta.dir, "..", "fixtures", "traces"));

if (!existsSync(join(FIXTURES_DIR, "expected-counts.json"))) {
  throw new Error(`Trace fixtures not found at ${FIXTURES_DIR}: they belong to the repository (test/fixtures/traces); restore them with git checkout -- test/fixtures`);
}

export interface ExpectedCounts {
  expect: string;
  traces?: number;
  spans?: number;
  unique_spans?: number;
  services?: string[];
  events?: number;
  links?: number;
  lines?: number;
  max_depth?: number;
  counts_are_reference_only?: boolean;
}

export const EXPECTED: Record<string, ExpectedCounts> = JSON.parse(readFileSync(join(FIXTURES_DIR, "expected-counts.json"), "utf8"));

export function fixturePath(rel: string): string {
  return join(FIXTURES_DIR, rel);
}

/** The fixture files of one format folder ("otlp", "jaeger", "zipkin") that exist on disk. */
export function fixturesOf(format: string): [string, ExpectedCounts][] {
  return Object.entries(EXPECTED).filter(([rel]) => rel.startsWith(`${format}/`) && existsSync(fixturePath(rel)));
}
