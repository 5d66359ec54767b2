/**
 * The import's reader thread: reads, parses and normalises a trace file and
 * posts its spans as batches of ready-to-insert rows. It never opens the store.
 * It runs at most MAX_AHEAD batches ahead of the inserting thread, so memory
 * stays bounded whatever the file's size.
 */
import { SpanRowBuilder } from "../storage/spans/span-row.ts";
import { TaskError } from "../util/errors.ts";
import { ImportSink } from "./import-sink.ts";
import type { FromReader, ReadRequest, ToReader } from "./read-protocol.ts";
import { readTraceFile } from "./read-trace-file.ts";

declare const self: Worker;

const MAX_AHEAD = 3;
const PROGRESS_EVERY_MS = 100;

let unacked = 0;
let wake: (() => void) | null = null;

function post(message: FromReader): void {
  self.postMessage(message);
}

async function read(req: ReadRequest): Promise<void> {
  const builder = new SpanRowBuilder();
  // The thread's own signal is never fired: a cancelled import terminates it.
  const signal = new AbortController().signal;
  let bytesDone = 0;
  let lastProgress = 0;
  const sink = new ImportSink(signal, {
    strict: req.strict,
    batchSize: req.batchSize,
    write: (batch) => {
      unacked++;
      post({ type: "batch", rows: builder.build(batch), bytesDone, spansRead: sink.spanCount });
    },
  });
  const { format, compression, detected } = await readTraceFile({
    path: req.path,
    name: req.name,
    format: req.format,
    sink,
    signal,
    onRawBytes: (total) => {
      bytesDone = total;
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        post({ type: "progress", bytesDone, spansRead: sink.spanCount });
      }
    },
    beforeChunk: () => (unacked >= MAX_AHEAD ? new Promise<void>((resolve) => (wake = resolve)) : undefined),
  });
  sink.flush();
  post({ type: "done", format: format.id, formatLabel: format.label, compression, detected, counts: sink.counts(), errorSamples: sink.errorSamples, warningSamples: sink.warningSamples });
}

self.onmessage = (event: MessageEvent<ToReader>) => {
  const msg = event.data;
  if (msg.type === "ack") {
    unacked--;
    if (unacked < MAX_AHEAD && wake) {
      const w = wake;
      wake = null;
      w();
    }
    return;
  }
  read(msg).catch((err: unknown) => {
    if (err instanceof TaskError) post({ type: "error", task: true, message: err.message, details: err.details });
    else {
      const e = err instanceof Error ? err : new Error(String(err));
      post({ type: "error", task: false, message: e.message, details: e.stack ?? null });
    }
  });
};

post({ type: "ready" });
