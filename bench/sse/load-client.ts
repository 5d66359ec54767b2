/**
 * Opens N SSE streams to one URL (run with BUN_CONFIG_MAX_HTTP_REQUESTS set
 * high: Bun's fetch otherwise stalls at 256) and times each update from the
 * publisher's stamp to its arrival here. Talks only to loopback.
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
const controllers: AbortController[] = [];
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

async function connect(): Promise<void> {
  const ac = new AbortController();
  controllers.push(ac);
  const res = await fetch(url!, { headers: { accept: "text/event-stream" }, signal: ac.signal });
  if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
  open++;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = now();
        record(decoder.decode(value, { stream: true }), at);
      }
    } catch {
      // aborted at exit
    }
  })();
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
    for (const c of controllers) c.abort();
    process.exit(0);
  }
});
