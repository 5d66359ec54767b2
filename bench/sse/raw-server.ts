/**
 * The runtime's limit: a minimal Bun.serve SSE broadcaster. One frame is
 * encoded per update and written to every open stream; a heartbeat every 15 s
 * like traceport's. No framework, no store, no per-connection state.
 */
import { now, type OrchestratorToServer } from "./protocol.ts";

const encoder = new TextEncoder();
const clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
const heartbeat = encoder.encode(": heartbeat\n\n");
setInterval(() => {
  for (const c of clients) c.enqueue(heartbeat);
}, 15_000);

const server = Bun.serve({
  port: 0,
  idleTimeout: 0,
  fetch(req) {
    let ctl: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        ctl = c;
        clients.add(c);
        c.enqueue(encoder.encode("retry: 3000\n\n"));
        req.signal.addEventListener("abort", () => clients.delete(c));
      },
      cancel() {
        clients.delete(ctl);
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  },
});

let id = 0;
process.on("message", (m: OrchestratorToServer) => {
  if (m.type === "publish") {
    const data = JSON.stringify({ status: "running", progress: m.seq % 100, phase: "importing", bt: now(), seq: m.seq });
    const frame = encoder.encode(`id: ${++id}\nevent: progress\ndata: ${data}\n\n`);
    for (const c of clients) c.enqueue(frame);
    process.send!({ type: "published", seq: m.seq });
  } else if (m.type === "exit") {
    server.stop(true);
    process.exit(0);
  }
});
process.send!({ type: "ready", port: server.port!, path: "/stream" });
