/** `traceport import` as a user runs it: a separate process, against a server or the local data directory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../src/storage/database.ts";
import { countSpans } from "../src/storage/spans/count-spans.ts";
import { EXPECTED, fixturePath } from "./helpers/fixtures.ts";
import { writeOtlpJsonLines } from "./helpers/generate-otlp.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

const MAIN = join(import.meta.dir, "..", "src", "main.ts");
const TOKEN = "cli-test-token-0123456789";
let dir: string;
let server: TestServer;
let big: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "traceport-cli-"));
  big = join(dir, "big.jsonl");
  await writeOtlpJsonLines(big, { spans: 60_000 });
  server = startTestServer({ token: TOKEN });
});
afterAll(async () => {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, MAIN, "import", ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text(), await proc.exited];
  return { code, stdout, stderr };
}

describe("traceport import --server", () => {
  test("uploads, follows the job live, prints the report, exits 0", async () => {
    const rel = "otlp/otlp2parquet-traces.jsonl";
    const r = await cli(["--server", server.url, "--token", TOKEN, fixturePath(rel), big]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ ${fixturePath(rel)}: 19 new spans in 19 traces (OTLP JSON Lines; 19 read, 0 duplicate, 0 skipped, 0 warnings)`);
    expect(r.stdout).toContain(`services: ${EXPECTED[rel]!.services!.join(", ")}`);
    expect(r.stdout).toContain(`✓ ${big}: 60,000 new spans`);
    // Without a terminal, progress comes as a few lines on stderr, with percent, bytes, spans and rate.
    expect(r.stderr).toMatch(/big\.jsonl {2}[█░]+ +\d+% {2}[\d.]+ \w+\/[\d.]+ MiB {2}[\d,]+ spans/);
  }, 60_000);

  test("protobuf and zstd files, with and without --format", async () => {
    const stream = fixturePath("generated/collector-proto-zstd-legacy.binpb");
    const native = fixturePath("generated/collector-json-native.jsonl.zst");
    const r = await cli(["--server", server.url, "--token", TOKEN, stream, native]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/collector-proto-zstd-legacy\.binpb: [\d,]+ new spans in \d+ traces \(OTLP length-prefixed messages, \d+ messages \(\d+ protobuf\), each zstd-compressed;/);
    expect(r.stdout).toContain("(OTLP JSON Lines, zstd-compressed;");
    const given = await cli(["--server", server.url, "--token", TOKEN, "--format", "otlp-proto", "--json", fixturePath("generated/sdk-protobuf-serializer.binpb")]);
    expect(given.code).toBe(0);
    expect((JSON.parse(given.stdout) as { result: { format: string } }[])[0]!.result.format).toBe("otlp-proto");
    const unknown = await cli(["--format", "protobuf", stream]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("otlp-proto-stream");
  }, 60_000);

  test("--json prints machine-readable results; a failed import exits 1", async () => {
    const r = await cli(["--server", server.url, "--json", fixturePath("otlp/jaeger-ui-multi-line.jsonl"), fixturePath("otlp/invalid/otlp2parquet-malformed.json")], { TRACEPORT_TOKEN: TOKEN });
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { file: string; jobId: string; status: string; result?: { spans: number }; error?: string }[];
    expect(results.map((x) => x.status)).toEqual(["completed", "failed"]);
    expect(results[0]!.result!.spans).toBe(4);
    expect(results[1]!.error).toBe('Invalid JSON at line 21, column 15: unexpected "/"');
    const job = (await (await fetch(`${server.url}/api/jobs/${results[1]!.jobId}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { status: string };
    expect(job.status).toBe("failed");
  });

  test("--format and --strict reach the job", async () => {
    const r = await cli(["--server", server.url, "--token", TOKEN, "--json", "--strict", "--format", "otlp-json", fixturePath("otlp/data-prepper-odd-id-lengths.json")]);
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.stdout) as { status: string; error: string }[];
    expect(res!.status).toBe("failed");
  });

  test("a refused upload (wrong token) or a server that is down: a clear message, exit 1", async () => {
    const wrong = await cli(["--server", server.url, "--token", "wrong-token-0123456789", fixturePath("otlp/jaeger-ui-multi-line.jsonl")]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("upload refused (HTTP 401): Authentication required");
    const down = await cli(["--server", "http://127.0.0.1:9", fixturePath("otlp/jaeger-ui-multi-line.jsonl")]);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain("cannot reach http://127.0.0.1:9");
  });

  test("a missing file is a usage error (exit 2) and nothing is uploaded", async () => {
    const r = await cli(["--server", server.url, "--token", TOKEN, join(dir, "nope.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no such file");
  });
});

describe("traceport import (local)", () => {
  test("imports straight into the data directory, keeping the user's file", async () => {
    const data = join(dir, "local-data");
    const rel = "jaeger/jaeger-ui-genai-57-spans.json";
    const r = await cli(["--data-dir", data, fixturePath(rel)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("57 new spans in 1 trace");
    expect(await Bun.file(fixturePath(rel)).exists()).toBe(true);
    const store = openStore(data);
    try {
      expect(countSpans(store)).toBe(57);
    } finally {
      store.close();
    }
    // The copy it imported from is gone once the import completed.
    expect(readdirSync(join(data, "uploads"))).toEqual([]);
    // The same data directory through the environment, as the server reads it.
    const again = await cli([fixturePath("otlp/jaeger-ui-multi-line.jsonl")], { TRACEPORT_DATA_DIR: data });
    expect(again.code).toBe(0);
    const store2 = openStore(data);
    try {
      expect(countSpans(store2)).toBe(61);
    } finally {
      store2.close();
    }
  });
});
