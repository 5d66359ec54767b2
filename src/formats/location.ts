import type { Location } from "./types.ts";

/**
 * Where a location reads well in one line: "line 3, $.resourceSpans[0]…",
 * "message 2 (byte 1032), $.resourceSpans[0]…", "byte 4096, $.resourceSpans[1]".
 */
export function describeLocation(w: Location): string {
  const message = w.messageNumber === undefined ? null : w.offset === undefined ? `message ${w.messageNumber}` : `message ${w.messageNumber} (byte ${w.offset})`;
  return [w.line !== undefined ? `line ${w.line}` : null, message, w.messageNumber === undefined && w.offset !== undefined ? `byte ${w.offset}` : null, w.path ?? null]
    .filter(Boolean)
    .join(", ");
}
