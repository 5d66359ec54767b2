/**
 * Opens N SSE streams to one URL and times each update from the publisher's
 * stamp to its arrival here. Talks only to loopback.
 *
 *   bun bench/sse/load-client.ts URL N
 */
import { now, type OrchestratorToClient } from "./protocol.ts";

const [url, nArg] = process.argv.slice(2);
const n = Number(nArg);
if (!url || !Number.isInteger(n) || n < 1) throw new Error("usage: load-client.ts URL N");
if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(url)) throw new Error("load tests target loopback only");

/** seq → arrival latencies (ms), one per stream. */
const arrivals = new Map<number, number[]>();
const SEQ = /"seq":(\d+)/g;
const BT = /"bt":([\d.]+)/g;
let open = 0;
let failed = 0;

function record(text: string, at: number): void {
  SEQ.lastIndex = 0;
  BT.lastIndex = 0;
  for (;;) {
    const s = SEQ.exec(text);
    const b = BT.exec(text);
    if (!s || !b) return;
    const seq = Number(s[1]);
    let list = arrivals.get(seq);
    if (!list) arrivals.set(seq, (list = []));
    list.push(at - Number(b[1]));
  }
}

/**
 * One stream over a raw TCP socket: an HTTP/1.1 GET, then every chunk of the
 * response is scanned for stamps. Cheaper per message than fetch's streams, so
 * the client's own cost disturbs the measurement as little as possible.
 */
const target = new URL(url);
const request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n\r\n`;
const sockets: { end(): void }[] = [];
const decoder = new TextDecoder();

function connect(): Promise<void> {
  return new Promise((resolve, reject) => {
    let carry = "";
    let headerDone = false;
    Bun.connect({
      hostname: target.hostname.replace(/^\[|\]$/g, ""),
      port: Number(target.port),
      socket: {
        open(socket) {
          sockets.push(socket);
          socket.write(request);
        },
        data(_socket, bytes) {
          const at = now();
          let text = carry + decoder.decode(bytes);
          if (!headerDone) {
            const i = text.indexOf("\r\n\r\n");
            if (i < 0) {
              carry = text;
              return;
            }
            if (!text.startsWith("HTTP/1.1 200")) {
              reject(new Error(text.split("\r\n")[0]));
              return;
            }
            headerDone = true;
            open++;
            resolve();
            text = text.slice(i + 4);
          }
          // A frame may be split across reads: keep an unfinished tail for the next one.
          const lastEnd = text.lastIndexOf("\n\n");
          record(lastEnd >= 0 ? text.slice(0, lastEnd) : "", at);
          carry = lastEnd >= 0 ? text.slice(lastEnd + 2) : text;
        },
        error(_socket, err) {
          reject(err);
        },
        connectError(_socket, err) {
          reject(err);
        },
      },
    }).catch(reject);
  });
}

const started = now();
// Open in waves so the listen backlog is never the bottleneck.
const WAVE = 250;
for (let i = 0; i < n; i += WAVE) {
  const results = await Promise.allSettled(Array.from({ length: Math.min(WAVE, n - i) }, () => connect()));
  failed += results.filter((r) => r.status === "rejected").length;
}
// Ignore whatever came with the connect (the current state of the job).
arrivals.clear();
process.send!({ type: "connected", open, failed, ms: Math.round(now() - started) });

process.on("message", async (m: OrchestratorToClient) => {
  if (m.type === "collect") {
    const end = now() + m.timeoutMs;
    while ((arrivals.get(m.seq)?.length ?? 0) < open && now() < end) await Bun.sleep(2);
    const ms = arrivals.get(m.seq) ?? [];
    arrivals.delete(m.seq);
    process.send!({ type: "latencies", seq: m.seq, ms, missing: open - ms.length });
  } else if (m.type === "exit") {
    for (const s of sockets) s.end();
    process.exit(0);
  }
});
