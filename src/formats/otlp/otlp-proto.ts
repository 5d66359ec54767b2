import { ByteQueue } from "../byte-queue.ts";
import { WireType } from "@bufbuild/protobuf/wire";
import { MAX_MESSAGE_BYTES } from "../length-prefixed.ts";
import { FileFormatError, type ByteSource, type SpanSink, type TraceFormat } from "../types.ts";
import { emitProtoResourceSpans } from "./otlp-proto-decode.ts";

/** Wire types, bound once as locals for the decoding loops. */
const { Varint: VARINT, Bit64: I64, LengthDelimited: LEN, Bit32: I32 } = WireType;

/** ExportTraceServiceRequest.resource_spans and TracesData.resource_spans are both field 1. */
const RESOURCE_SPANS = 1;

/** Reads a varint of at most 10 bytes at the queue's front; null at the end of the stream. */
async function readVarint(q: ByteQueue): Promise<{ value: number; bytes: number } | null> {
  await q.fill(10);
  const n = Math.min(10, q.available);
  if (n === 0) return null;
  let value = 0;
  let scale = 1;
  for (let i = 0; i < n; i++) {
    const b = q.peek(i);
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) {
      q.take(i + 1);
      return { value, bytes: i + 1 };
    }
  }
  throw new FileFormatError(n < 10 ? "the file ends inside a varint" : "a varint is longer than 10 bytes", { offset: q.offset });
}

/**
 * One binary ExportTraceServiceRequest (or TracesData), as otlp-proto exporters
 * send it and protobuf tools write it (.pb, .binpb). It is read as a stream of
 * its top-level fields: each ResourceSpans is decoded and emitted on its own,
 * so memory holds one ResourceSpans at a time, not the whole message.
 */
export const otlpProto: TraceFormat = {
  id: "otlp-proto",
  label: "OTLP protobuf",
  sniff({ shape }) {
    return shape === "protobuf";
  },
  async read(source: ByteSource, sink: SpanSink) {
    const q = new ByteQueue(source);
    let index = 0;
    for (;;) {
      sink.signal.throwIfAborted();
      const at = q.offset;
      const tag = await readVarint(q);
      if (tag === null) break;
      const field = Math.floor(tag.value / 8);
      const wire = tag.value % 8;
      if (field === 0) throw new FileFormatError(`Malformed protobuf at byte ${at}: field number 0 is not valid (is this an OTLP protobuf file?)`, { offset: at });
      if (wire === LEN) {
        const length = await readVarint(q);
        if (length === null) throw new FileFormatError(`Malformed protobuf at byte ${at}: the file ends inside a field's length`, { offset: at });
        if (field === RESOURCE_SPANS) {
          if (length.value > MAX_MESSAGE_BYTES) {
            throw new FileFormatError(
              `resourceSpans[${index}] at byte ${at} is ${length.value} bytes, more than the ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB one may have`,
              { offset: at },
            );
          }
          if (!(await q.fill(length.value))) {
            sink.issue({ offset: at, path: `$.resourceSpans[${index}]`, severity: "error", message: `the file is truncated: resourceSpans[${index}] should have ${length.value} bytes, only ${q.available} are left` });
            break;
          }
          emitProtoResourceSpans(q.take(length.value), index, { offset: at }, sink);
          index++;
        } else if (!(await q.skip(length.value))) {
          throw new FileFormatError(`Malformed protobuf at byte ${at}: the file ends inside field ${field}`, { offset: at });
        }
      } else if (wire === VARINT) {
        if ((await readVarint(q)) === null) throw new FileFormatError(`Malformed protobuf at byte ${at}: the file ends inside field ${field}`, { offset: at });
      } else if (wire === I64 || wire === I32) {
        if (!(await q.skip(wire === I64 ? 8 : 4))) throw new FileFormatError(`Malformed protobuf at byte ${at}: the file ends inside field ${field}`, { offset: at });
      } else {
        throw new FileFormatError(`Malformed protobuf at byte ${at}: wire type ${wire} of field ${field} is not valid here`, { offset: at });
      }
    }
    if (index === 0) throw new FileFormatError("The protobuf message holds no resourceSpans (field 1): not an OTLP ExportTraceServiceRequest");
    return `${index} resourceSpans`;
  },
};
