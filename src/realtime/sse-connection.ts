import { encodeSseComment } from "./sse-frame.ts";

/** Keeps the set of open SSE connections and sends one heartbeat to all of them per interval. */
export class SseHub {
  private readonly connections = new Set<SseConnection>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly heartbeat = encodeSseComment("heartbeat");
  /** Told how long each live event took from being stored to being written (metrics). */
  onDelivered: ((lagMs: number) => void) | null = null;

  constructor(
    private readonly heartbeatMs: number,
    /** A client that has not read this many bytes is too slow and is dropped. */
    readonly maxBufferedBytes = 1 << 20,
  ) {}

  get size(): number {
    return this.connections.size;
  }

  /** Records the delivery of an event stored at `storedAt` (epoch ms). */
  delivered(storedAt: number): void {
    this.onDelivered?.(Date.now() - storedAt);
  }

  add(c: SseConnection): void {
    this.connections.add(c);
    if (this.timer === null) {
      // One timer for every connection, not one per connection.
      this.timer = setInterval(() => {
        for (const conn of this.connections) conn.send(this.heartbeat);
      }, this.heartbeatMs);
    }
  }

  remove(c: SseConnection): void {
    this.connections.delete(c);
    if (this.connections.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Ends every stream (shutdown), after sending each a last frame. */
  closeAll(lastFrame?: Uint8Array): void {
    for (const conn of [...this.connections]) {
      if (lastFrame) conn.send(lastFrame);
      conn.close();
    }
  }
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  // Tells nginx not to buffer the stream.
  "x-accel-buffering": "no",
} as const;

/**
 * One client's event stream. It is registered with the hub while open; the
 * request's abort signal, a slow reader or `close()` end it, and every exit
 * runs the cleanup callbacks once (the PocketBase client's discard). Sending
 * after that does nothing.
 */
export class SseConnection {
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private closed = false;
  private readonly cleanups: (() => void)[] = [];
  readonly response: Response;

  constructor(
    private readonly hub: SseHub,
    signal: AbortSignal,
    headers: Record<string, string> = {},
  ) {
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      cancel: () => this.discard(),
    });
    this.response = new Response(stream, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
    hub.add(this);
    if (signal.aborted) this.discard();
    else signal.addEventListener("abort", () => this.discard(), { once: true });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs when the connection ends, however it ends. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.cleanups.push(fn);
  }

  send(bytes: Uint8Array): void {
    const c = this.controller;
    if (this.closed || !c) return;
    if (c.desiredSize !== null && c.desiredSize < -this.hub.maxBufferedBytes) {
      this.discard();
      return;
    }
    try {
      c.enqueue(bytes);
    } catch {
      this.discard();
    }
  }

  /** Ends the stream after what was sent is flushed. */
  close(): void {
    if (this.closed) return;
    try {
      this.controller?.close();
    } catch {
      // already errored or closed by the runtime
    }
    this.discard();
  }

  private discard(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.remove(this);
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // a cleanup must not stop the others
      }
    }
  }
}
