/**
 * The one place that writes Server-Sent Events frames. Every line of `data`
 * gets its own `data: ` prefix (a bare newline would end the field and the
 * browser would drop the rest), and CR/LF in `event` or `id` is refused because
 * it would let a value inject fields of its own.
 */

export interface SseMessage {
  event?: string;
  id?: string | number;
  /** Reconnection delay the client should use, in ms. */
  retry?: number;
  data: string;
}

const encoder = new TextEncoder();

export class SseFrameError extends Error {
  override name = "SseFrameError";
}

function checkField(name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new SseFrameError(`SSE ${name} must not contain CR or LF`);
}

export function formatSseFrame(msg: SseMessage): string {
  let out = "";
  if (msg.retry !== undefined) {
    if (!Number.isInteger(msg.retry) || msg.retry < 0) throw new SseFrameError("SSE retry must be a non-negative integer");
    out += `retry: ${msg.retry}\n`;
  }
  if (msg.id !== undefined) {
    const id = String(msg.id);
    checkField("id", id);
    if (id.includes("\0")) throw new SseFrameError("SSE id must not contain NUL");
    out += `id: ${id}\n`;
  }
  if (msg.event !== undefined) {
    checkField("event", msg.event);
    out += `event: ${msg.event}\n`;
  }
  for (const line of msg.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + "\n";
}

export function encodeSseFrame(msg: SseMessage): Uint8Array {
  return encoder.encode(formatSseFrame(msg));
}

/** A comment line: ignored by clients, keeps proxies and idle timers from closing the stream. */
export function encodeSseComment(text: string): Uint8Array {
  checkField("comment", text);
  return encoder.encode(`: ${text}\n\n`);
}
