/** @jsxImportSource @kitajs/html */
import type { StoredSpan } from "../src/storage/traces/stored-span.ts";
import { formatMs, KIND_NAMES } from "./format.ts";
import { Layout } from "./layout.tsx";

export interface WaterfallSpan {
  span: StoredSpan;
  depth: number;
}

export interface TracePageProps {
  traceId: string;
  spans: WaterfallSpan[];
}

/** Deeper spans are indented as much as this (CSS classes d0…d24); data-depth keeps the real depth. */
const MAX_INDENT = 24;

function ns(v: string | null): bigint | null {
  return v === null ? null : BigInt(v);
}

/**
 * The waterfall: one row per span in tree order, its bar placed by start and
 * width by duration on the trace's time axis, indented by depth, errors
 * marked. Plain HTML, CSS classes and SVG attributes (percentages): no inline
 * style, so the Content-Security-Policy needs no 'unsafe-inline', and 2,000
 * spans stay light. A span's
 * name is a button that loads its attributes, events and links (htmx fragment;
 * a link to the same fragment as a page without JavaScript).
 */
export function TracePage({ traceId, spans }: TracePageProps): string {
  const starts = spans.map((s) => ns(s.span.startTimeUnixNano)).filter((x): x is bigint => x !== null);
  const ends = spans.map((s) => ns(s.span.endTimeUnixNano) ?? ns(s.span.startTimeUnixNano)).filter((x): x is bigint => x !== null);
  const t0 = starts.length ? starts.reduce((a, b) => (a < b ? a : b)) : 0n;
  const t1 = ends.length ? ends.reduce((a, b) => (a > b ? a : b)) : t0;
  const total = t1 > t0 ? t1 - t0 : 1n;
  const pct = (v: bigint) => Number((v * 100000n) / total) / 1000;
  const errors = spans.filter((s) => s.span.statusCode === 2).length;
  const services = [...new Set(spans.map((s) => s.span.service).filter((x) => x !== null))];
  return (
    <Layout title={`Trace ${traceId}`} section="traces">
      <p class="crumbs">
        <a href="/traces">Traces</a> /
      </p>
      <h1 class="trace-title">
        Trace <code safe>{traceId}</code>
      </h1>
      <p class="trace-meta">
        {spans.length} spans · {services.length} service{services.length === 1 ? "" : "s"} · {formatMs(Number(t1 - t0) / 1e6)}
        {errors ? (
          <>
            {" · "}
            <span class="badge status-failed">
              {errors} error{errors === 1 ? "" : "s"}
            </span>
          </>
        ) : (
          ""
        )}{" "}
        · <a href={`/api/traces/${traceId}?format=otlp`}>Export OTLP JSON</a>
      </p>
      <div class="trace-layout">
        <div class="waterfall" role="list" aria-label="Spans, in tree order">
          <div class="wf-axis" aria-hidden="true">
            <span>0</span>
            <span>{formatMs(Number(total) / 2e6)}</span>
            <span>{formatMs(Number(total) / 1e6)}</span>
          </div>
          {spans.map(({ span, depth }) => {
            const s = ns(span.startTimeUnixNano);
            const e = ns(span.endTimeUnixNano);
            const left = s === null ? 0 : pct(s - t0);
            const width = s === null || e === null ? 0 : Math.max(0.2, pct(e - s));
            const dur = s !== null && e !== null ? formatMs(Number(e - s) / 1e6) : "no end";
            const href = `/traces/${traceId}/spans/${span.spanId}`;
            return (
              <div class={`wf-row d${Math.min(depth, MAX_INDENT)}${span.statusCode === 2 ? " error" : ""}`} role="listitem" data-depth={String(depth)}>
                <div class="wf-label">
                  <a href={href} hx-get={href} hx-target="#span-detail" hx-swap="innerHTML" class="wf-name" aria-describedby={`d-${span.spanId}`}>
                    <span class="svc" safe>
                      {span.service ?? "unknown"}
                    </span>{" "}
                    <span safe>{span.name || "(unnamed)"}</span>
                  </a>
                  {span.statusCode === 2 ? <span class="err-mark" aria-label="error">!</span> : ""}
                </div>
                <div class="wf-track">
                  <svg class="wf-svg" aria-hidden="true" focusable="false">
                    <rect class={`wf-bar${e === null ? " open" : ""}`} x={`${left}%`} width={`${e === null ? 2 : width}%`} y="0" height="100%" rx="2"></rect>
                  </svg>
                  <span class="wf-dur" id={`d-${span.spanId}`}>
                    {dur}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
        <aside id="span-detail" class="span-detail" aria-live="polite">
          <p class="muted">Select a span to see its attributes, events and links.</p>
        </aside>
      </div>
    </Layout>
  ) as string;
}

function valueText(v: unknown): string {
  if (v === null || typeof v !== "object") return String(v ?? "");
  const o = v as Record<string, unknown>;
  if ("stringValue" in o) return String(o.stringValue);
  if ("intValue" in o) return String(o.intValue);
  if ("doubleValue" in o) return String(o.doubleValue);
  if ("boolValue" in o) return String(o.boolValue);
  if ("bytesValue" in o) return `base64:${o.bytesValue}`;
  return JSON.stringify(o.arrayValue ?? o.kvlistValue ?? o);
}

function KvTable({ rows, caption }: { rows: { key: string; value: unknown }[]; caption: string }): string {
  if (!rows.length) return (<p class="muted small" safe>{`No ${caption.toLowerCase()}.`}</p>) as string;
  return (
    <table class="kv">
      <caption safe>{caption}</caption>
      <tbody>
        {rows.map((kv) => (
          <tr>
            <th scope="row" safe>
              {kv.key}
            </th>
            <td safe>{valueText(kv.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  ) as string;
}

/** One span's details: the fragment the waterfall loads, also served as a page. */
export function SpanDetail({ span }: { span: StoredSpan }): string {
  const start = span.startTimeUnixNano;
  return (
    <div class="span-detail-body">
      <h2 safe>{span.name || "(unnamed)"}</h2>
      <dl class="stats">
        <div>
          <dt>Service</dt>
          <dd safe>{span.service ?? "unknown"}</dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>{KIND_NAMES[span.kind] ?? String(span.kind)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            {span.statusCode === 2 ? <span class="badge status-failed">error</span> : span.statusCode === 1 ? "ok" : "unset"}
            {span.statusMessage ? (
              <>
                {" "}
                <span safe>{span.statusMessage}</span>
              </>
            ) : (
              ""
            )}
          </dd>
        </div>
        <div>
          <dt>Span id</dt>
          <dd>
            <code safe>{span.spanId}</code>
          </dd>
        </div>
        <div>
          <dt>Parent</dt>
          <dd>
            <code safe>{span.parentSpanId ?? "none"}</code>
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{start !== null && span.endTimeUnixNano !== null ? formatMs(Number(BigInt(span.endTimeUnixNano) - BigInt(start)) / 1e6) : "unknown (no end time)"}</dd>
        </div>
      </dl>
      <KvTable rows={span.attributes} caption="Attributes" />
      <h3>Events</h3>
      {span.events.length ? (
        <ol class="events">
          {span.events.map((e) => (
            <li>
              <strong safe>{e.name || "(unnamed)"}</strong>
              {start !== null && e.timeUnixNano !== null ? <span class="muted"> +{formatMs(Number(BigInt(e.timeUnixNano) - BigInt(start)) / 1e6)}</span> : ""}
              <KvTable rows={e.attributes} caption="Event attributes" />
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted small">No events.</p>
      )}
      <h3>Links</h3>
      {span.links.length ? (
        <ul class="links">
          {span.links.map((l) => (
            <li>
              <a href={`/traces/${l.traceId}`}>
                <code safe>{`${l.traceId} / ${l.spanId}`}</code>
              </a>
              <KvTable rows={l.attributes} caption="Link attributes" />
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">No links.</p>
      )}
      <KvTable rows={span.resource} caption="Resource" />
    </div>
  ) as string;
}

/** One span's details as a page of its own (the waterfall's links without JavaScript). */
export function SpanPage({ traceId, span }: { traceId: string; span: StoredSpan }): string {
  return (
    <Layout title={span.name || "Span"} section="traces">
      <p class="crumbs">
        <a href="/traces">Traces</a> / <a href={`/traces/${traceId}`}>{`Trace ${traceId.slice(0, 8)}…`}</a> /
      </p>
      <SpanDetail span={span} />
    </Layout>
  ) as string;
}
