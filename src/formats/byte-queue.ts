import type { ByteSource } from "./types.ts";

/**
 * Reads a chunked byte stream as a queue: make sure n bytes are there, look at
 * them, take them. Keeps only what has not been taken yet (plus the chunk it
 * sits in), so a reader holds one message at a time however long the stream.
 */
export class ByteQueue {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private eof = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: ByteSource) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Stream offset of the next byte to be taken. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes buffered and not taken yet. */
  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Buffers until `n` bytes are available; false when the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.buf.length - this.pos < n) {
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        return false;
      }
      const rest = this.buf.subarray(this.pos);
      this.base += this.pos;
      this.pos = 0;
      if (rest.length === 0) this.buf = r.value;
      else {
        const joined = new Uint8Array(rest.length + r.value.length);
        joined.set(rest, 0);
        joined.set(r.value, rest.length);
        this.buf = joined;
      }
    }
    return true;
  }

  /** True when nothing is left to take. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** The byte `i` places ahead (it must be available). */
  peek(i = 0): number {
    return this.buf[this.pos + i]!;
  }

  /** Takes `n` available bytes: a view, valid until the next fill. */
  take(n: number): Uint8Array {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Drops `n` bytes, reading through the stream as needed; false when it ends first. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      if (this.available === 0 && !(await this.fill(1))) return false;
      const k = Math.min(n, this.available);
      this.pos += k;
      n -= k;
    }
    return true;
  }
}
