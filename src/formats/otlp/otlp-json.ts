import { emitRecord, jsonPath } from "../record-emitter.ts";
import { streamJsonValues, type JsonKey } from "../json-stream.ts";
import { RecordError, type ByteSource, type SpanSink, type TraceFormat } from "../types.ts";

import { normaliseOtlpSpan, resourceContext, schemaUrlOf, scopeOf, type SpanContext } from "./otlp-span.ts";

/** Where ResourceSpans lists may sit: OTLP, Tempo, Jaeger api_v3, Tempo v2, and arrays of any of them. */
const CONTAINERS = ["$.resourceSpans", "$.batches", "$.result.resourceSpans", "$.trace.resourceSpans", "$.*.resourceSpans", "$.*.batches"];
const PATHS = CONTAINERS.flatMap((c) => [
  `${c}.*.resource`,
  `${c}.*.schemaUrl`,
  `${c}.*.scopeSpans.*.scope`,
  `${c}.*.scopeSpans.*.schemaUrl`,
  `${c}.*.instrumentationLibrarySpans.*.schemaUrl`,
  `${c}.*.scopeSpans.*.spans.*`,
  `${c}.*.instrumentationLibrarySpans.*.instrumentationLibrary`,
  `${c}.*.instrumentationLibrarySpans.*.spans.*`,
]);

/**
 * Spans held while their resource, scope or schema URLs have not been read yet
 * (JSON objects are unordered, and protojson writers put `schemaUrl` after
 * `scopeSpans`/`spans`, so a block's spans wait for its end). Beyond this many
 * they are stored with what is known, and a schema URL that comes later is
 * reported as a warning.
 */
const MAX_PENDING = 5_000;

interface Pending {
  raw: unknown;
  keys: JsonKey[];
  scopeKey: string;
}

function blockKeys(keys: JsonKey[]): { resourceKey: string; scopeKey: string; leaf: string } {
  const i = keys.findIndex((k) => k === "scopeSpans" || k === "instrumentationLibrarySpans");
  if (i === -1) return { resourceKey: keys.slice(0, -1).join("/"), scopeKey: "", leaf: String(keys.at(-1)) };
  return { resourceKey: keys.slice(0, i).join("/"), scopeKey: keys.slice(0, i + 2).join("/"), leaf: String(keys[i + 2]) };
}

/**
 * One OTLP JSON document (ExportTraceServiceRequest, TracesData, a Tempo or
 * Jaeger api_v3 response, or an array of requests), read as a stream: spans are
 * normalised one by one as the parser reaches them, so memory does not grow with
 * the file.
 */
export const otlpJson: TraceFormat = {
  id: "otlp-json",
  label: "OTLP JSON",
  sniff({ shape, text }) {
    return shape === "json-document" && /^\s*[[{]/.test(text) && /"(resourceSpans|batches)"\s*:/.test(text);
  },
  async read(source: ByteSource, sink: SpanSink) {
    let resourceKey: string | null = null;
    let resource: Omit<SpanContext, "scope"> | null | undefined; // undefined: not read yet; null: unreadable
    const scopes = new Map<string, SpanContext["scope"] | undefined>();
    // Schema URLs: undefined until read (or until the block ends without one).
    let resourceSchemaUrl: string | null | undefined;
    const scopeSchemaUrls = new Map<string, string | null>();
    let emittedEarly = false;
    let pending: Pending[] = [];

    const emit = (raw: unknown, keys: JsonKey[], ctx: SpanContext) =>
      emitRecord(sink, () => ({ path: jsonPath(keys) }), (w) => normaliseOtlpSpan(raw, ctx, w));

    const flush = (force: boolean) => {
      if (pending.length === 0 || resource === null) return;
      const keep: Pending[] = [];
      for (const p of pending) {
        const scope = scopes.get(p.scopeKey);
        const scopeSchemaUrl = scopeSchemaUrls.get(p.scopeKey);
        if (!force && (resource === undefined || scope === undefined || resourceSchemaUrl === undefined || scopeSchemaUrl === undefined)) keep.push(p);
        else
          emit(p.raw, p.keys, {
            resource: resource?.resource ?? [],
            service: resource?.service ?? null,
            scope: scope ?? null,
            resourceSchemaUrl: resourceSchemaUrl ?? null,
            scopeSchemaUrl: scopeSchemaUrl ?? null,
          });
      }
      pending = keep;
    };

    const enterResource = (key: string) => {
      if (key === resourceKey) return;
      flush(true);
      pending = [];
      resourceKey = key;
      resource = undefined;
      scopes.clear();
      resourceSchemaUrl = undefined;
      scopeSchemaUrls.clear();
      emittedEarly = false;
    };

    // Consecutive spans of one block differ only in their index: their block keys are the previous span's.
    let lastSpanKeys: JsonKey[] | null = null;
    let lastSpanBlock: ReturnType<typeof blockKeys> | null = null;
    const blockOf = (keys: JsonKey[]) => {
      const n = keys.length;
      if (n < 2 || keys[n - 2] !== "spans") return blockKeys(keys);
      const last = lastSpanKeys;
      if (last !== null && last.length === n) {
        let same = true;
        for (let j = n - 3; j >= 0 && same; j--) same = keys[j] === last[j];
        if (same) return lastSpanBlock!;
      }
      lastSpanKeys = keys;
      return (lastSpanBlock = blockKeys(keys));
    };

    await streamJsonValues(
      source,
      PATHS,
      ({ value, keys }) => {
        const b = blockOf(keys);
        enterResource(b.resourceKey);
        if (b.leaf === "schemaUrl") {
          const url = schemaUrlOf(value);
          if (b.scopeKey === "") resourceSchemaUrl = url;
          else scopeSchemaUrls.set(b.scopeKey, url);
          if (emittedEarly && url !== null) {
            sink.issue({
              path: jsonPath(keys),
              severity: "warning",
              message: `schemaUrl comes after more than ${MAX_PENDING} spans of its block; the spans before it were stored without it`,
            });
          }
          flush(false);
        } else if (b.leaf === "resource") {
          try {
            resource = resourceContext(value);
          } catch (err) {
            if (!(err instanceof RecordError)) throw err;
            resource = null;
            sink.issue({ path: jsonPath(keys), severity: "error", message: `${err.message}; the spans of this resource are skipped` });
          }
          flush(false);
        } else if (b.leaf === "scope" || b.leaf === "instrumentationLibrary") {
          try {
            scopes.set(b.scopeKey, scopeOf(value));
          } catch (err) {
            if (!(err instanceof RecordError)) throw err;
            scopes.set(b.scopeKey, null);
            sink.issue({ path: jsonPath(keys), severity: "warning", message: `${err.message}; scope ignored` });
          }
          flush(false);
        } else if (resource === null) {
          sink.issue({ path: jsonPath(keys), severity: "error", message: "span skipped: its resource is invalid" });
        } else {
          const scope = scopes.get(b.scopeKey);
          const scopeSchemaUrl = scopeSchemaUrls.get(b.scopeKey);
          if (resource !== undefined && scope !== undefined && resourceSchemaUrl !== undefined && scopeSchemaUrl !== undefined) {
            emit(value, keys, { resource: resource.resource, service: resource.service, scope, resourceSchemaUrl, scopeSchemaUrl });
          } else {
            pending.push({ raw: value, keys, scopeKey: b.scopeKey });
            // Stop waiting rather than hold a whole large block.
            if (pending.length >= MAX_PENDING) {
              emittedEarly = true;
              flush(true);
            }
          }
        }
      },
      sink.signal,
    );
    flush(true);
  },
};

