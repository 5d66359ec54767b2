/**
 * What the fan-out benchmark's processes tell each other over Bun's IPC.
 * Every published update carries `bt`, the publisher's wall clock in ms with
 * sub-millisecond precision (performance.timeOrigin + performance.now(), which
 * processes on one machine share), and `seq`, its number.
 */
export type ServerMessage = { type: "ready"; port: number; path: string } | { type: "published"; seq: number };
export type OrchestratorToServer = { type: "publish"; seq: number } | { type: "exit" };

export type ClientMessage =
  | { type: "connected"; open: number; failed: number; ms: number }
  | { type: "latencies"; seq: number; ms: number[]; missing: number };
export type OrchestratorToClient = { type: "collect"; seq: number; timeoutMs: number } | { type: "exit" };

export function now(): number {
  return performance.timeOrigin + performance.now();
}
