/**
 * Shutdown and crash scenarios against a server process, shared by the binary
 * test and the runtime tests. Each takes `launch`, which starts the server on
 * the same store every time it is called (so a restart finds what the last run
 * left), and checks the store file itself once the process is gone.
 */
import { expect } from "bun:test";
import { openStore } from "../../src/storage/database.ts";
import { countSpans } from "../../src/storage/spans/count-spans.ts";
import { EXPECTED, fixturePath } from "./fixtures.ts";
import { hasTerminal, jobOf, readSse, uploadRaw, waitFor } from "./remote.ts";
import type { ServerProcess } from "./server-process.ts";

export type Launch = (args?: string[]) => Promise<ServerProcess>;

/** A generated file big enough that an import takes seconds. */
export interface BigFile {
  path: string;
  spans: number;
}

function withStore<T>(dataDir: string, fn: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(dataDir);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/**
 * SIGTERM mid-import: the open stream gets `retry: 1000` and a last comment,
 * the job goes back to the queue, the process exits 0 within 10 s; a restart
 * completes the job once with every span.
 */
export async function sigtermMidImport(launch: Launch, big: BigFile): Promise<void> {
  const first = await launch(["--workers", "1"]);
  const id = await uploadRaw(first.base, big.path);
  await waitFor("the import to run", async () => (await jobOf(first.base, id)).progress >= 10, 60_000);
  let connected!: () => void;
  const isConnected = new Promise<void>((r) => (connected = r));
  const stream = readSse(`${first.base}/api/jobs/${id}/stream`, { onChunk: () => connected(), timeoutMs: 20_000 });
  await isConnected;
  const t0 = performance.now();
  expect(await first.stop("SIGTERM", 12_000)).toBe(0);
  expect(performance.now() - t0).toBeLessThan(10_000);
  const read = await stream;
  expect(read.ended).toBe(true);
  expect(hasTerminal(read)).toBe(false);
  // The last frame says when to come back.
  expect(read.retries.at(-1)).toBe(1000);
  expect(read.text).toEndWith("retry: 1000\n: server shutting down; reconnect\n\n");
  expect(first.log()).toContain("job interrupted by shutdown; requeued");
  const row = withStore(first.dataDir, (s) => s.sqlite.query("SELECT status FROM jobs WHERE id = ?").get(id) as { status: string });
  expect(row.status).toBe("queued");

  const second = await launch(["--workers", "1"]);
  try {
    const done = await waitFor("the job to complete after the restart", async () => {
      const j = await jobOf(second.base, id);
      if (j.status === "failed" || j.status === "cancelled") throw new Error(`job ended ${j.status}: ${j.error}`);
      return j.status === "completed" ? j : null;
    }, 90_000);
    expect(done.result!.spans).toBe(big.spans);
    expect(done.result!.inserted).toBe(big.spans);
  } finally {
    expect(await second.stop("SIGTERM")).toBe(0);
  }
  expect(withStore(second.dataDir, (s) => countSpans(s))).toBe(big.spans);
}

/** A second signal exits at once (code 1), even while a slow upload holds the graceful stop. */
export async function secondSignal(launch: Launch): Promise<void> {
  const server = await launch();
  const url = new URL(server.base);
  // An upload that sends its body slowly: a graceful stop waits for it.
  const socket = await Bun.connect({ hostname: url.hostname, port: Number(url.port), socket: { data() {} } });
  try {
    socket.write(`POST /api/imports HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"resourceSpans":[`);
    await Bun.sleep(200);
    server.proc.kill("SIGTERM");
    await Bun.sleep(500);
    expect(server.proc.exitCode).toBeNull(); // still waiting for the upload
    const t0 = performance.now();
    expect(await server.stop("SIGINT", 5_000)).toBe(1);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(server.log()).toContain("second signal: exiting now");
  } finally {
    socket.end();
  }
}

/**
 * kill -9 mid-import with more jobs queued behind it; after a restart every job
 * completes with exactly the expected counts, nothing lost, nothing twice.
 */
export async function sigkillMidImport(launch: Launch, big: BigFile): Promise<void> {
  const first = await launch(["--workers", "1"]);
  const bigId = await uploadRaw(first.base, big.path);
  const small = ["otlp/otlp2parquet-traces.jsonl", "jaeger/jaeger-ui-genai-57-spans.json"];
  const queued: string[] = [];
  for (const rel of small) queued.push(await uploadRaw(first.base, fixturePath(rel)));
  await waitFor("the import to be well under way", async () => (await jobOf(first.base, bigId)).progress >= 30, 60_000);
  expect(await first.stop("SIGKILL")).not.toBe(0);
  const partial = withStore(first.dataDir, (s) => countSpans(s));
  expect(partial).toBeGreaterThan(0); // it really died with spans half-written
  expect(partial).toBeLessThan(big.spans);

  const second = await launch(["--workers", "1"]);
  try {
    for (const id of [bigId, ...queued]) {
      await waitFor(`job ${id} to complete`, async () => {
        const j = await jobOf(second.base, id);
        if (j.status === "failed" || j.status === "cancelled") throw new Error(`job ${id} ended ${j.status}: ${j.error}`);
        return j.status === "completed";
      }, 90_000);
    }
    const bigJob = await jobOf(second.base, bigId);
    expect(bigJob.attempts).toBe(2);
    expect(bigJob.result!.spans).toBe(big.spans);
    expect(bigJob.result!.inserted).toBe(big.spans);
    for (const [i, id] of queued.entries()) expect((await jobOf(second.base, id)).result!.spans).toBe(EXPECTED[small[i]!]!.spans!);
    expect(second.log()).toContain("job requeued after an unclean stop");
  } finally {
    expect(await second.stop("SIGTERM")).toBe(0);
  }
  withStore(second.dataDir, (store) => {
    const expected = big.spans + small.reduce((n, rel) => n + (EXPECTED[rel]!.unique_spans ?? EXPECTED[rel]!.spans!), 0);
    expect(countSpans(store)).toBe(expected);
    const dupes = store.sqlite.query("SELECT count(*) AS n FROM (SELECT trace_id, span_id FROM spans GROUP BY 1, 2 HAVING count(*) > 1)").get() as { n: number };
    expect(dupes.n).toBe(0);
    expect((store.sqlite.query("SELECT count(*) AS n FROM jobs WHERE status <> 'completed'").get() as { n: number }).n).toBe(0);
  });
}
