import { encodeSseComment } from "./sse-frame.ts";

/** Keeps the set of open SSE connections and sends one heartbeat to all of them per interval. */
export class SseHub {
  private readonly connections = new Set<SseConnection>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly heartbeat = encodeSseComment("heartbeat");

  constructor(
    private readonly heartbeatMs: number,
    /** A client that has not read this many bytes is too slow and is dropped. */
    readonly maxBufferedBytes = 1 << 20,
  ) {}

  get size(): number {
    return this.connections.size;
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
  "x-content-type-options": "nosniff",
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
  private cleanup: (() => void) | (() => void)[] | null = null;
  private readonly signal: AbortSignal;
  readonly response: Response;

  constructor(
    private readonly hub: SseHub,
    signal: AbortSignal,
    headers: Record<string, string> | null = null,
  ) {
    // The connection is its own stream source and abort listener: no closures
    // per connection (at 10,000 connections every object counts).
    this.response = new Response(new ReadableStream<Uint8Array>(this), { status: 200, headers: headers ? { ...SSE_HEADERS, ...headers } : SSE_HEADERS });
    this.signal = signal;
    hub.add(this);
    if (signal.aborted) this.discard();
    else signal.addEventListener("abort", this, { once: true });
  }

  /** ReadableStream source: keeps the controller. */
  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
  }

  /** ReadableStream source: the client went away. */
  cancel(): void {
    this.discard();
  }

  /** The request's abort signal fired. */
  handleEvent(): void {
    this.discard();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs when the connection ends, however it ends. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else if (this.cleanup === null) this.cleanup = fn;
    else if (Array.isArray(this.cleanup)) this.cleanup.push(fn);
    else this.cleanup = [this.cleanup, fn];
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
    this.signal.removeEventListener("abort", this);
    const fns = this.cleanup === null ? [] : Array.isArray(this.cleanup) ? this.cleanup : [this.cleanup];
    this.cleanup = null;
    for (const fn of fns) {
      try {
        fn();
      } catch {
        // a cleanup must not stop the others
      }
    }
  }
}
