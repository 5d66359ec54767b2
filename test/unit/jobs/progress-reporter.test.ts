import { expect, test } from "bun:test";
import { ProgressReporter } from "../../../src/jobs/progress-reporter.ts";
import type { ProgressState } from "../../../src/jobs/types.ts";

function fakeClock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test("throttles to one update per interval and keeps the newest (trailing) state", async () => {
  const sent: ProgressState[] = [];
  const r = new ProgressReporter((s) => sent.push(s), { intervalMs: 50 });
  for (let i = 1; i <= 20; i++) r.report({ bytesDone: i * 5, bytesTotal: 100 });
  expect(sent.length).toBe(1); // the first goes out at once
  await Bun.sleep(80);
  expect(sent.length).toBe(2); // then one trailing update with the latest numbers
  expect(sent.at(-1)!.bytesDone).toBe(100);
  expect(sent.at(-1)!.progress).toBe(99); // 100 is reserved for completion
  r.dispose();
});

test("percent never goes back and flush sends the held state", () => {
  const clock = fakeClock();
  const sent: ProgressState[] = [];
  const r = new ProgressReporter((s) => sent.push(s), { intervalMs: 1000, now: clock.now });
  r.report({ bytesDone: 50, bytesTotal: 100 });
  r.report({ bytesDone: 10, bytesTotal: 100 });
  expect(r.current.progress).toBe(50);
  r.flush();
  expect(sent.map((s) => s.progress)).toEqual([50, 50]);
  r.dispose();
});

test("rate and ETA come from elapsed time", () => {
  const clock = fakeClock();
  const sent: ProgressState[] = [];
  const r = new ProgressReporter((s) => sent.push(s), { intervalMs: 0, now: clock.now });
  clock.advance(2000);
  r.report({ bytesDone: 200, bytesTotal: 1000, spans: 400 });
  expect(sent[0]!.rate).toBe(200); // 400 spans in 2 s
  expect(sent[0]!.eta).toBe(8); // 800 bytes left at 100 B/s
  r.dispose();
});

test("nothing is sent after dispose", async () => {
  const sent: ProgressState[] = [];
  const r = new ProgressReporter((s) => sent.push(s), { intervalMs: 30 });
  r.report({ progress: 1 });
  r.report({ progress: 2 });
  r.dispose();
  await Bun.sleep(50);
  expect(sent.length).toBe(1);
});
