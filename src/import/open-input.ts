import { FileFormatError, type ByteSource } from "../formats/types.ts";
import { SNIFF_BYTES } from "../formats/registry.ts";

export interface OpenedInput {
  /** The decompressed bytes, starting again from the beginning (the head is replayed). */
  source: ByteSource;
  /** The start of the decoded text, for format detection. */
  head: string;
  gzip: boolean;
}

/** Longest stretch of parsing and inserting without letting other work run. */
const YIELD_EVERY_MS = 8;

function toStream(it: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      const r = await it.next();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}

/**
 * Opens a spooled file as a stream. Gzip is recognised by its magic bytes and
 * decompressed on the fly; `onRawBytes` counts the bytes read from disk, so for
 * a compressed file progress follows the compressed size. A UTF-8 byte order
 * mark is dropped. The file is never read whole. `beforeChunk` may hold the
 * next read back (a consumer that has fallen behind).
 */
export async function openInput(
  path: string,
  signal: AbortSignal,
  onRawBytes: (total: number) => void,
  beforeChunk?: () => Promise<void> | undefined,
): Promise<OpenedInput> {
  async function* raw(): AsyncGenerator<Uint8Array> {
    let total = 0;
    let lastYield = performance.now();
    for await (const chunk of Bun.file(path).stream()) {
      // File reads can resolve without ever reaching the event loop's I/O phase;
      // give it a turn every few ms so messages (a reader thread's acks; HTTP
      // and SSE when read on the server's thread) are not held up.
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      const wait = beforeChunk?.();
      if (wait) await wait;
      signal.throwIfAborted();
      total += chunk.length;
      onRawBytes(total);
      yield chunk;
    }
  }
  const rawIter = raw();
  const first = await rawIter.next();
  const firstChunk = first.done ? new Uint8Array(0) : first.value;
  async function* replayRaw(): AsyncGenerator<Uint8Array> {
    if (firstChunk.length) yield firstChunk;
    yield* rawIter;
  }
  const gzip = firstChunk.length >= 2 && firstChunk[0] === 0x1f && firstChunk[1] === 0x8b;
  let decoded: AsyncIterable<Uint8Array> = replayRaw();
  if (gzip) {
    const inflated = toStream(replayRaw()).pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
    decoded = (async function* () {
      try {
        yield* inflated;
      } catch (err) {
        if (signal.aborted) throw err;
        throw new FileFormatError(`The gzip data is corrupt or truncated (${(err as Error).message})`);
      }
    })();
  }

  const iter = decoded[Symbol.asyncIterator]();
  const headChunks: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < SNIFF_BYTES) {
    const r = await iter.next();
    if (r.done) {
      ended = true;
      break;
    }
    let chunk = r.value;
    if (headChunks.length === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    headChunks.push(chunk);
    headBytes += chunk.length;
  }
  const head = new TextDecoder().decode(Buffer.concat(headChunks).subarray(0, SNIFF_BYTES));
  async function* source(): AsyncGenerator<Uint8Array> {
    yield* headChunks;
    if (ended) return;
    for (;;) {
      const r = await iter.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { source: source(), head, gzip };
}
