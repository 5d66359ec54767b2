import { expect, test } from "bun:test";
import { formatById } from "../../../src/formats/registry.ts";
import { hintConflict, nameHint } from "../../../src/import/name-hint.ts";

test("extensions give a hint, compression first; a rotated name's timestamp is not an extension", () => {
  expect(nameHint("traces.jsonl.zst")).toMatchObject({ compression: "zstd", content: "jsonl" });
  expect(nameHint("spans.binpb.gz")).toMatchObject({ compression: "gzip", content: "protobuf", label: "gzip-compressed OTLP protobuf (.binpb.gz)" });
  expect(nameHint("data-2022-09-14T05-02-14.173.json")).toMatchObject({ compression: null, content: "json" });
  expect(nameHint("export.pb")).toMatchObject({ content: "protobuf" });
  expect(nameHint("upload")).toMatchObject({ compression: null, content: null, label: null });
});

test("a hint that the content contradicts is named; one that fits is not", () => {
  const jsonl = formatById("otlp-jsonl")!;
  const proto = formatById("otlp-proto")!;
  const stream = formatById("otlp-proto-stream")!;
  expect(hintConflict(nameHint("a.json"), jsonl, null)).toBeNull(); // the Collector writes JSON Lines to .json
  expect(hintConflict(nameHint("a.jsonl"), formatById("otlp-json")!, null)).toBeNull();
  expect(hintConflict(nameHint("a.json"), stream, "zstd")).toBeNull(); // legacy zstd framing of JSON
  expect(hintConflict(nameHint("a.pb"), proto, null)).toBeNull();
  expect(hintConflict(nameHint("a.pb"), jsonl, null)).toBe(
    "The file name suggests OTLP protobuf (.pb), but its content is OTLP JSON Lines, not compressed: read as that",
  );
  expect(hintConflict(nameHint("a.json.gz"), jsonl, "zstd")).toContain("gzip-compressed JSON (.json.gz), but its content is OTLP JSON Lines, zstd-compressed");
  expect(hintConflict(nameHint("a.json"), jsonl, "gzip")).toBeNull(); // compressed without saying so is fine
});
