import type { SpanRowValue } from "../storage/spans/span-row.ts";
import type { IssueSample, ReadCounts } from "./import-sink.ts";

/** The import's reader thread and the thread that inserts talk in these messages. */

export interface ReadRequest {
  type: "start";
  path: string;
  name: string;
  /** A format id, or "auto". */
  format: string;
  strict: boolean;
  batchSize: number;
}

/** Sent by the inserting side after it stored a batch: the reader may run one batch further ahead. */
export interface BatchAck {
  type: "ack";
}

export type ToReader = ReadRequest | BatchAck;

export type FromReader =
  /**
   * The thread has loaded and listens: only now is "start" sent. (Its modules
   * may await at the top level, and a message that arrives before its handler
   * is set would be lost.)
   */
  | { type: "ready" }
  /** A batch of rows (span-row.ts), and how far into the file the reader is (bytes and spans read so far). */
  | { type: "batch"; rows: SpanRowValue[]; bytesDone: number; spansRead: number }
  | { type: "progress"; bytesDone: number; spansRead: number }
  | {
      type: "done";
      format: string;
      formatLabel: string;
      compression: "gzip" | "zstd" | null;
      detected: string;
      counts: ReadCounts;
      errorSamples: IssueSample[];
      warningSamples: IssueSample[];
    }
  /** The file cannot be imported (`task`: a TaskError for the job) or the reader broke (`task: false`). */
  | { type: "error"; task: boolean; message: string; details: string | null };
