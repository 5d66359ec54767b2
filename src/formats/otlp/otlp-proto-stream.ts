import { zstdDecompressSync } from "node:zlib";
import { parseJsonExact } from "../json-exact.ts";
import { isJsonWhitespace } from "../json-value-end.ts";
import { MAX_MESSAGE_BYTES, readFrames } from "../length-prefixed.ts";
import { isZstdMagic } from "../magic-bytes.ts";
import { FileFormatError, type ByteSource, type SpanSink, type TraceFormat } from "../types.ts";
import { emitProtoRequest } from "./otlp-proto-decode.ts";
import { emitOtlpRequest } from "./otlp-request.ts";

const decoder = new TextDecoder();

/** Decompresses one zstd-compressed message, bounded like any message. */
function unzstd(bytes: Uint8Array): Uint8Array {
  return zstdDecompressSync(bytes, { maxOutputLength: MAX_MESSAGE_BYTES });
}

function firstContentByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length && i < 64; i++) if (!isJsonWhitespace(bytes[i]!)) return bytes[i]!;
  return -1;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * A stream of ExportTraceServiceRequests, each preceded by its length as a
 * 4-byte big-endian integer: what the OpenTelemetry Collector's file exporter
 * writes with `format: proto`, and with `compression: zstd` in its legacy
 * framing (each message, protobuf or JSON, zstd-compressed on its own and then
 * length-prefixed). Each message is decoded on its own: a bad one is reported
 * by number and byte offset and the others are kept; where the framing itself
 * breaks (a truncated stream, a length beyond the bound) reading stops, and
 * what came before is kept.
 */
export const otlpProtoStream: TraceFormat = {
  id: "otlp-proto-stream",
  label: "OTLP length-prefixed messages",
  sniff({ shape }) {
    return shape === "length-prefixed";
  },
  async read(source: ByteSource, sink: SpanSink) {
    let messages = 0;
    let protobuf = 0;
    let json = 0;
    let compressed = 0;
    let broken = false;
    for await (const frame of readFrames(source)) {
      sink.signal.throwIfAborted();
      const where = { messageNumber: frame.number, offset: frame.offset };
      if (frame.broken) {
        broken = true;
        sink.issue({ ...where, severity: "error", message: `${frame.reason}; nothing after it can be read` });
        break;
      }
      messages++;
      let bytes = frame.bytes;
      if (isZstdMagic(bytes)) {
        try {
          bytes = unzstd(bytes);
        } catch (err) {
          sink.issue({ ...where, severity: "error", message: `the message's zstd data is corrupt (${(err as Error).message}); message skipped` });
          continue;
        }
        compressed++;
      }
      if (firstContentByte(bytes) === 0x7b) {
        let req: unknown;
        try {
          req = parseJsonExact(decoder.decode(bytes));
        } catch (err) {
          sink.issue({ ...where, severity: "error", message: `invalid JSON in the message: ${(err as Error).message}` });
          continue;
        }
        json++;
        emitOtlpRequest(req, [], where, sink);
      } else {
        protobuf++;
        emitProtoRequest(bytes, where, sink);
      }
    }
    if (messages === 0 && !broken) throw new FileFormatError("The stream holds no messages");
    const kinds = [protobuf ? `${protobuf} protobuf` : null, json ? `${json} JSON` : null].filter(Boolean).join(" and ");
    return `${plural(messages, "message")}${kinds ? ` (${kinds})` : ""}${compressed ? `, ${compressed === messages ? "each" : `${compressed} of them`} zstd-compressed` : ""}`;
  },
};
