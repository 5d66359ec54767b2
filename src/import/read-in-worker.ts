import type { SpanRowValue } from "../storage/spans/span-row.ts";
import { TaskError } from "../util/errors.ts";
import type { FromReader, ReadRequest, ToReader } from "./read-protocol.ts";

/**
 * Where the reader thread's code is: beside this file when running from
 * source; inside the executable when compiled (scripts/build.ts adds it as an
 * entry point, and the executable resolves it relative to src/).
 */
function readerEntry(): string | URL {
  return import.meta.url.includes("/$bunfs/") ? "./import/read-worker.ts" : new URL("./read-worker.ts", import.meta.url);
}

export type ReadOutcome = Extract<FromReader, { type: "done" }>;

export interface ReadInWorkerOptions {
  request: Omit<ReadRequest, "type">;
  signal: AbortSignal;
  /** Called for each batch, in file order; the reader stays at most a few batches ahead of these calls. */
  onBatch(rows: SpanRowValue[]): void;
  /** How far the reader is; called with each batch and between batches, never going backwards. */
  onProgress(bytesDone: number, spansRead: number): void;
}

/**
 * Reads a trace file on its own thread (read-worker.ts) while this thread
 * stores what it sends: parsing and normalising the next batches overlaps with
 * inserting this one. Resolves with what the reader found; rejects with a
 * TaskError when the file cannot be imported, or with the signal's reason when
 * it fires (the thread is terminated at once).
 */
export function readInWorker(o: ReadInWorkerOptions): Promise<ReadOutcome> {
  o.signal.throwIfAborted();
  // `type: "module"`: Deno requires it; Bun accepts it.
  const worker = new Worker(readerEntry(), { type: "module" });
  const send = (m: ToReader) => worker.postMessage(m);
  return new Promise<ReadOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener("abort", onAbort);
      worker.terminate();
      fn();
    };
    const onAbort = () => finish(() => reject(o.signal.reason));
    o.signal.addEventListener("abort", onAbort, { once: true });
    // Messages are handled one per turn of the event loop: a reader that is
    // ahead would otherwise deliver batch after batch without letting HTTP,
    // SSE or a signal in between (each batch is ~50 ms of inserting).
    const inbox: FromReader[] = [];
    let scheduled = false;
    const handle = (m: FromReader) => {
      switch (m.type) {
        case "ready":
          send({ type: "start", ...o.request });
          break;
        case "batch":
          o.onBatch(m.rows);
          send({ type: "ack" });
          o.onProgress(m.bytesDone, m.spansRead);
          break;
        case "progress":
          o.onProgress(m.bytesDone, m.spansRead);
          break;
        case "done":
          finish(() => resolve(m));
          break;
        case "error":
          finish(() => reject(m.task ? new TaskError(m.message, m.details) : Object.assign(new Error(m.message), { stack: m.details ?? undefined })));
          break;
      }
    };
    const pump = () => {
      scheduled = false;
      const m = inbox.shift();
      if (settled || m === undefined) return;
      try {
        handle(m);
      } catch (err) {
        finish(() => reject(err));
        return;
      }
      if (inbox.length > 0) {
        scheduled = true;
        setImmediate(pump);
      }
    };
    worker.onmessage = (event: MessageEvent<FromReader>) => {
      inbox.push(event.data);
      if (!scheduled) {
        scheduled = true;
        setImmediate(pump);
      }
    };
    worker.onerror = (event: ErrorEvent) => finish(() => reject(new Error(`The import's reader thread failed: ${event.message}`)));
    worker.addEventListener("close", () => finish(() => reject(new Error("The import's reader thread stopped unexpectedly"))));
  });
}
