import { FileFormatError, type ByteSource, type ContentProbe } from "../formats/types.ts";
import { SNIFF_BYTES } from "../formats/registry.ts";
import { isGzipMagic, isZstdMagic } from "../formats/magic-bytes.ts";
import { detectShape } from "./content-shape.ts";
import { platform } from "../runtime/index.ts";

export type Compression = "gzip" | "zstd";

export interface OpenedInput {
  /** The decompressed bytes, starting again from the beginning (what detection read is replayed). */
  source: ByteSource;
  /** What detection saw: the content's shape and its first bytes. */
  probe: ContentProbe;
  /** How the file was compressed, from its magic bytes; null when it was not. */
  compression: Compression | null;
}

/** Longest stretch of parsing and inserting without letting other work run. */
const YIELD_EVERY_MS = 8;

function toStream(it: AsyncIterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      const r = await it.next();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
    async cancel() {
      await it.return?.(undefined);
    },
  });
}

/** The decompressed stream; a decoding error names the format and how far it got. */
function decompress(kind: Compression, raw: AsyncIterator<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const inflated = toStream(raw).pipeThrough(platform.decompressor(kind));
  return (async function* () {
    let out = 0;
    try {
      for await (const chunk of inflated) {
        out += chunk.length;
        yield chunk;
      }
    } catch (err) {
      if (signal.aborted || err instanceof FileFormatError) throw err;
      throw new FileFormatError(
        `The ${kind} data is corrupt or truncated after ${out} bytes of decompressed content (${(err as Error).message})`,
        { offset: out },
      );
    }
  })();
}

/**
 * Opens a spooled file as a stream of its content. gzip and zstd (one frame,
 * or concatenated frames as a rotating writer leaves them) are recognised by
 * their magic bytes and decompressed on the fly; `onRawBytes` counts the bytes
 * read from disk, so for a compressed file progress follows the compressed
 * size. A UTF-8 byte order mark is dropped. Then the content's shape is
 * decided from its bytes (content-shape.ts), reading ahead as far as that
 * needs and no further; the file is never read whole. `beforeChunk` may hold
 * the next read back (a consumer that has fallen behind).
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
    for await (const chunk of platform.readFile(path)) {
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
  const compression: Compression | null = isGzipMagic(firstChunk) ? "gzip" : isZstdMagic(firstChunk) ? "zstd" : null;
  const decoded: AsyncIterator<Uint8Array> = compression ? decompress(compression, replayRaw(), signal) : replayRaw();

  // Buffer what detection reads; it is replayed before the rest.
  const headChunks: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  const more = async (): Promise<Uint8Array | null> => {
    for (;;) {
      const r = await decoded.next();
      if (r.done) {
        ended = true;
        return null;
      }
      let chunk = r.value;
      if (headBytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      if (chunk.length === 0) continue;
      headChunks.push(chunk);
      headBytes += chunk.length;
      return chunk;
    }
  };
  while (headBytes < SNIFF_BYTES && (await more()) !== null);
  const shape = await detectShape(headChunks, more);
  let firstChunks = 0;
  for (let n = 0; firstChunks < headChunks.length && n < SNIFF_BYTES; firstChunks++) n += headChunks[firstChunks]!.length;
  const bytes = (firstChunks === 1 ? headChunks[0]! : Buffer.concat(headChunks.slice(0, firstChunks))).subarray(0, SNIFF_BYTES);
  const text = new TextDecoder().decode(bytes);
  async function* source(): AsyncGenerator<Uint8Array> {
    // Handed over one by one so what detection buffered can be freed as it is read.
    while (headChunks.length) yield headChunks.shift()!;
    if (ended) return;
    for (;;) {
      const r = await decoded.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { source: source(), probe: { shape, bytes: new Uint8Array(bytes), text }, compression };
}
