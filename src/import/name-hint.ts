import type { TraceFormat } from "../formats/types.ts";
import type { Compression } from "./open-input.ts";

/** What a file name's extensions suggest. Only ever a hint: the content decides. */
export interface NameHint {
  compression: Compression | null;
  /** "json" covers JSON Lines too: the Collector writes JSON Lines to .json files. */
  content: "json" | "jsonl" | "protobuf" | null;
  /** The hint in words, e.g. "zstd-compressed OTLP protobuf (.binpb.zst)"; null without one. */
  label: string | null;
}

const CONTENT: Record<string, NameHint["content"]> = {
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".pb": "protobuf",
  ".binpb": "protobuf",
  ".protobuf": "protobuf",
};

const CONTENT_TEXT = { json: "JSON", jsonl: "JSON Lines", protobuf: "OTLP protobuf" } as const;

/**
 * Reads the hint in a name such as `traces.jsonl.zst`, `spans.binpb.gz` or a
 * rotated `data-2022-09-14T05-02-14.173.json` (the timestamp's dots are not
 * taken for extensions: only known ones count).
 */
export function nameHint(name: string): NameHint {
  let rest = name.toLowerCase();
  let compression: Compression | null = null;
  if (rest.endsWith(".gz") || rest.endsWith(".gzip")) {
    compression = "gzip";
    rest = rest.slice(0, rest.lastIndexOf("."));
  } else if (rest.endsWith(".zst") || rest.endsWith(".zstd")) {
    compression = "zstd";
    rest = rest.slice(0, rest.lastIndexOf("."));
  }
  const dot = rest.lastIndexOf(".");
  const content = dot === -1 ? null : (CONTENT[rest.slice(dot)] ?? null);
  const extensions = name.slice(dot === -1 ? name.length : dot);
  const words = [compression ? `${compression}-compressed` : null, content ? CONTENT_TEXT[content] : null].filter(Boolean).join(" ");
  return { compression, content, label: words ? `${words} (${extensions})` : null };
}

/**
 * Says, in one sentence, where the name's hint disagrees with what the content
 * turned out to be; null when it agrees or gives no hint. JSON Lines in a .json
 * file, or one document in a .jsonl file, agree (both are JSON, and a single
 * line is both).
 */
export function hintConflict(hint: NameHint, format: TraceFormat, compression: Compression | null): string | null {
  // A length-prefixed stream may hold JSON or protobuf messages: any content hint fits it.
  const contentDisagrees = hint.content !== null && format.id !== "otlp-proto-stream" && (hint.content === "protobuf") !== (format.id === "otlp-proto");
  const compressionDisagrees = hint.compression !== null && hint.compression !== compression;
  if (!contentDisagrees && !compressionDisagrees) return null;
  const actual = `${format.label}${compression ? `, ${compression}-compressed` : ", not compressed"}`;
  return `The file name suggests ${hint.label}, but its content is ${actual}: read as that`;
}
