import type { SSEJobUpdate } from "../client/sse-client.ts";
import { describeLocation } from "../formats/location.ts";
import { formatBytes, formatCount, formatSeconds } from "../../views/format.ts";

const WIDTH = 24;

/** One line of terminal progress: name, bar, percent, bytes, spans, rate, time left. */
export function progressLine(name: string, u: Pick<SSEJobUpdate, "status" | "progress" | "bytesDone" | "bytesTotal" | "spans" | "rate" | "eta">): string {
  const filled = Math.round((Math.min(100, Math.max(0, u.progress)) / 100) * WIDTH);
  const bar = "█".repeat(filled) + "░".repeat(WIDTH - filled);
  const parts = [`${name}`, `${bar} ${String(u.progress).padStart(3)}%`];
  if (u.status === "queued") parts.push("queued");
  if (u.bytesTotal !== undefined) parts.push(`${formatBytes(u.bytesDone ?? 0)}/${formatBytes(u.bytesTotal)}`);
  if (u.spans !== undefined) parts.push(`${formatCount(u.spans)} spans`);
  if (u.rate !== undefined) parts.push(`${formatCount(u.rate)}/s`);
  if (u.eta !== undefined && u.eta !== null) parts.push(`ETA ${formatSeconds(u.eta)}`);
  return parts.join("  ");
}

export interface ImportReport {
  file: string;
  jobId: string;
  status: "completed" | "failed" | "cancelled";
  result?: {
    format: string;
    /** What was detected, in words (absent in results of older servers). */
    detected?: string;
    spans: number;
    inserted: number;
    duplicates: number;
    traces: number;
    errors: number;
    warnings: number;
    services: string[];
    samples: { line?: number; messageNumber?: number; offset?: number; path?: string; message: string }[];
  };
  error?: string;
  details?: string | null;
}

/** The report of one file for people. */
export function reportText(r: ImportReport): string {
  if (r.status === "completed" && r.result) {
    const x = r.result;
    const lines = [
      `✓ ${r.file}: ${formatCount(x.inserted)} new span${x.inserted === 1 ? "" : "s"} in ${formatCount(x.traces)} trace${x.traces === 1 ? "" : "s"} (${x.detected ?? x.format}; ${formatCount(x.spans)} read, ${formatCount(x.duplicates)} duplicate, ${formatCount(x.errors)} skipped, ${formatCount(x.warnings)} warnings)`,
    ];
    if (x.services.length) lines.push(`  services: ${x.services.join(", ")}`);
    for (const s of x.samples.slice(0, 10)) lines.push(`  skipped ${describeLocation(s)}: ${s.message}`);
    if (x.samples.length > 10) lines.push(`  … ${x.errors - 10} more skipped records`);
    lines.push(`  job ${r.jobId}`);
    return lines.join("\n");
  }
  if (r.status === "cancelled") return `✗ ${r.file}: cancelled; nothing was kept (job ${r.jobId})`;
  return [`✗ ${r.file}: ${r.error ?? "failed"}`, ...(r.details ? r.details.split("\n").map((l) => `  ${l}`) : []), `  job ${r.jobId}`].join("\n");
}
