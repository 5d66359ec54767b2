/**
 * Opens N SSE streams to one job's real stream (GET /api/jobs/:id/stream) and
 * records when each progress event reaches each stream. Real progress events
 * carry no publisher timestamp, so the latency reported is the *spread*: for
 * every event id, the time from the first stream receiving it to each other
 * stream receiving it (all arrival times are taken in this one process, so no
 * clock is shared with the server). Also the gap between consecutive events at
 * the first stream (the server throttles them to one per 100 ms).
 *
 *   bun bench/sse/spread-client.ts URL N          (spawned with Bun IPC by bench/runtime-compare.ts)
 *
 * IPC: sends {type:"connected"}; on {type:"collect", events, timeoutMs} records
 * the next `events` event ids and answers {type:"spread"}; on {type:"exit"} closes.
 * Talks only to loopback; every wait is bounded.
 */

export type SpreadClientMessage =
  | { type: "connected"; open: number; failed: number; ms: number; errors: string[] }
  | {
      type: "spread";
      open: number;
      /** Event ids that reached at least one stream while collecting. */
      events: number;
      /** Arrivals that never came (event ids × open streams − arrivals), over the collected events. */
      missing: number;
      /** Streams that ended (the job finished or the server closed them) while collecting. */
      closed: number;
      spread: { n: number; p50: number; p90: number; p99: number; max: number };
      /** Per event: the time from its first to its last arrival. */
      perEventMax: { n: number; p50: number; p99: number; max: number };
      /** Gaps between consecutive events at their first arrival. */
      gap: { n: number; p50: number; p99: number; max: number };
      ms: number;
    };
export type SpreadClientCommand = { type: "collect"; events: number; timeoutMs: number } | { type: "exit" };

if (import.meta.main) await main();

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const [url, nArg] = process.argv.slice(2);
  const n = Number(nArg);
  if (!url || !Number.isInteger(n) || n < 1 || n > 100_000) throw new Error("usage: spread-client.ts URL N (1..100000)");
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(url)) throw new Error("load tests target loopback only");
  const target = new URL(url);
  const request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n\r\n`;

  /** event id → arrival times (performance.now(), ms), one per stream that got it. */
  let arrivals: Map<number, number[]> | null = null;
  const ID = /(?:^|\n)id: ?(\d+)/;
  let open = 0;
  let closed = 0;
  const sockets: { end(): void }[] = [];
  const errors: string[] = [];

  function onFrame(frame: string, at: number): void {
    if (!arrivals) return;
    const m = ID.exec(frame);
    if (!m || !/(?:^|\n)event: ?progress/.test(frame)) return;
    const id = Number(m[1]);
    let list = arrivals.get(id);
    if (!list) arrivals.set(id, (list = []));
    list.push(at);
  }

  /**
   * One stream over a raw TCP socket, the HTTP/1.1 response decoded by hand
   * (chunked or not): cheaper per message than fetch's streams, so the
   * client's own work disturbs the measurement as little as possible. Bytes
   * are read as latin1, one character per byte, so chunk sizes count right.
   */
  function connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let head = "";
      let headerDone = false;
      let chunked = false;
      let raw = ""; // undecoded transfer bytes (chunked)
      let body = ""; // decoded SSE text not yet split into frames
      let need = -1; // bytes left in the current chunk (+2 for its CRLF), -1: reading a size line
      let counted = false;
      const frames = (at: number) => {
        for (;;) {
          const end = body.indexOf("\n\n");
          if (end < 0) return;
          onFrame(body.slice(0, end), at);
          body = body.slice(end + 2);
        }
      };
      const dechunk = () => {
        for (;;) {
          if (need < 0) {
            const eol = raw.indexOf("\r\n");
            if (eol < 0) return;
            const size = parseInt(raw.slice(0, eol), 16);
            raw = raw.slice(eol + 2);
            if (!Number.isFinite(size) || size === 0) {
              raw = "";
              return;
            }
            need = size + 2;
          }
          if (raw.length < need) return;
          body += raw.slice(0, need - 2);
          raw = raw.slice(need);
          need = -1;
        }
      };
      Bun.connect({
        hostname: target.hostname.replace(/^\[|\]$/g, ""),
        port: Number(target.port),
        socket: {
          open(socket) {
            sockets.push(socket);
            socket.write(request);
          },
          data(_socket, bytes) {
            const at = performance.now();
            let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
            if (!headerDone) {
              head += text;
              const i = head.indexOf("\r\n\r\n");
              if (i < 0) return;
              const status = head.slice(0, head.indexOf("\r\n"));
              if (!/^HTTP\/1\.1 200/.test(status)) {
                reject(new Error(status));
                return;
              }
              chunked = /\r\ntransfer-encoding: *chunked/i.test(head.slice(0, i));
              headerDone = true;
              counted = true;
              open++;
              resolve();
              text = head.slice(i + 4);
              head = "";
            }
            if (chunked) {
              raw += text;
              dechunk();
            } else body += text;
            frames(at);
          },
          close() {
            if (counted) {
              counted = false;
              open--;
              closed++;
            }
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

  const started = performance.now();
  let failed = 0;
  // Open in waves so the listen backlog is never the bottleneck.
  const WAVE = 250;
  for (let i = 0; i < n; i += WAVE) {
    const results = await Promise.allSettled(Array.from({ length: Math.min(WAVE, n - i) }, () => connect()));
    for (const r of results) {
      if (r.status === "rejected") {
        failed++;
        if (errors.length < 5) errors.push(String(r.reason));
      }
    }
  }
  process.send!({ type: "connected", open, failed, ms: Math.round(performance.now() - started), errors } satisfies SpreadClientMessage);

  process.on("message", async (m: SpreadClientCommand) => {
    if (m.type === "collect") {
      const t0 = performance.now();
      const openAtStart = open;
      const closedAtStart = closed;
      arrivals = new Map();
      // Until `events` ids have been seen and the last of them has reached every open stream (bounded by timeoutMs).
      const enough = () => {
        if (arrivals!.size < m.events) return false;
        const ids = [...arrivals!.keys()].sort((a, b) => a - b).slice(0, m.events);
        return arrivals!.get(ids.at(-1)!)!.length >= open;
      };
      while (!enough() && performance.now() - t0 < m.timeoutMs && open > 0) await Bun.sleep(5);
      // Let stragglers of the last event arrive.
      await Bun.sleep(200);
      const got = arrivals;
      arrivals = null;
      const ids = [...got.keys()].sort((a, b) => a - b).slice(0, m.events);
      const spread: number[] = [];
      const perEvent: number[] = [];
      const firsts: number[] = [];
      let missing = 0;
      for (const id of ids) {
        const ts = got.get(id)!;
        const first = Math.min(...ts);
        firsts.push(first);
        perEvent.push(Math.max(...ts) - first);
        let skippedFirst = false;
        for (const t of ts) {
          if (!skippedFirst && t === first) {
            skippedFirst = true;
            continue;
          }
          spread.push(t - first);
        }
        missing += Math.max(0, openAtStart - ts.length);
      }
      firsts.sort((a, b) => a - b);
      const gaps = firsts.slice(1).map((t, i) => t - firsts[i]!);
      const stat = (xs: number[]) => {
        const s = xs.sort((a, b) => a - b);
        return { n: s.length, p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s.at(-1) ?? NaN };
      };
      process.send!({
        type: "spread",
        open: openAtStart,
        events: ids.length,
        missing,
        closed: closed - closedAtStart,
        spread: stat(spread),
        perEventMax: stat(perEvent),
        gap: stat(gaps),
        ms: Math.round(performance.now() - t0),
      } satisfies SpreadClientMessage);
    } else if (m.type === "exit") {
      for (const s of sockets) s.end();
      process.exit(0);
    }
  });
}
