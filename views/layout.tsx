/** @jsxImportSource @kitajs/html */
import type { PropsWithChildren } from "@kitajs/html";

export interface LayoutProps {
  title: string;
  /** Which nav entry is current. */
  section?: "jobs" | "traces" | "import";
  /** Seconds after which the page reloads itself (no-JS progress), if any. */
  refreshSeconds?: number;
}

/**
 * The page shell. htmx and its SSE extension are served by traceport itself
 * (classic scripts, deferred, htmx first), then app.js, which adds the dialog
 * and the stream-failure fallback. Without JavaScript every page still works.
 */
export function Layout({ title, section, refreshSeconds, children }: PropsWithChildren<LayoutProps>): string {
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {refreshSeconds ? (
            <noscript>
              <meta http-equiv="refresh" content={String(refreshSeconds)} />
            </noscript>
          ) : (
            ""
          )}
          <meta name="htmx-config" content='{"allowEval":false,"allowScriptTags":false,"includeIndicatorStyles":false,"selfRequestsOnly":true,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"4..","swap":true,"error":true},{"code":"...","swap":false,"error":true}]}' />
          <title safe>{`${title} · traceport`}</title>
          <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/htmx-2.0.11.min.js" defer></script>
          <script src="/assets/htmx-ext-sse-2.2.4.min.js" defer></script>
          <script src="/assets/app.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="site">
            <a class="brand" href="/">
              traceport
            </a>
            <nav aria-label="Main">
              <a href="/jobs" aria-current={section === "jobs" ? "page" : undefined}>
                Jobs
              </a>
              <a href="/traces" aria-current={section === "traces" ? "page" : undefined}>
                Traces
              </a>
            </nav>
            <a class="button primary" href="/import" data-open-dialog="import-dialog">
              Import
            </a>
          </header>
          <main id="main">
            <div id="flash" aria-live="assertive"></div>
            {children}
          </main>
          <ImportDialog />
        </body>
      </html>
    </>
  ) as string;
}

/** Format choices of the import form: value and label. */
export const FORMAT_CHOICES: [string, string][] = [
  ["auto", "Auto-detect"],
  ["otlp-json", "OTLP JSON"],
  ["otlp-jsonl", "OTLP JSON Lines"],
  ["otlp-proto", "OTLP protobuf (one message)"],
  ["otlp-proto-stream", "OTLP length-prefixed messages"],
  ["jaeger", "Jaeger JSON"],
  ["zipkin", "Zipkin v2 JSON"],
];

/**
 * The import form. With htmx it posts in place and the job cards appear in
 * `target`; without JavaScript it is a plain multipart POST that redirects to
 * the job's page.
 */
export function ImportForm({ idPrefix, target }: { idPrefix: string; target?: string }): string {
  return (
    <form
      class="import-form"
      method="post"
      action="/imports"
      enctype="multipart/form-data"
      hx-post={target ? "/imports" : undefined}
      hx-target={target}
      hx-swap={target ? "afterbegin" : undefined}
      hx-encoding={target ? "multipart/form-data" : undefined}
    >
      <div class="field">
        <label for={`${idPrefix}-file`}>Trace files</label>
        <input id={`${idPrefix}-file`} name="file" type="file" multiple required aria-describedby={`${idPrefix}-file-help`} />
        <p class="help" id={`${idPrefix}-file-help`}>
          OTLP JSON, JSON Lines or protobuf (every OpenTelemetry Collector file exporter framing), Jaeger or Zipkin JSON, optionally gzip- or
          zstd-compressed. Each file becomes its own job.
        </p>
      </div>
      <div class="field-row">
        <div class="field">
          <label for={`${idPrefix}-format`}>Format</label>
          <select id={`${idPrefix}-format`} name="format">
            {FORMAT_CHOICES.map(([value, label]) => (
              <option value={value} selected={value === "auto"}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field check">
          <input id={`${idPrefix}-strict`} name="strict" type="checkbox" value="true" aria-describedby={`${idPrefix}-strict-help`} />
          <label for={`${idPrefix}-strict`}>Strict</label>
          <p class="help" id={`${idPrefix}-strict-help`}>
            Fail on the first bad record and keep nothing.
          </p>
        </div>
      </div>
      <button type="submit" class="primary">
        Import
      </button>
    </form>
  ) as string;
}

function ImportDialog(): string {
  return (
    <dialog id="import-dialog" aria-labelledby="import-dialog-title">
      <div class="dialog-head">
        <h2 id="import-dialog-title">Import traces</h2>
        <form method="dialog">
          <button type="submit" class="icon" aria-label="Close the import dialog">
            ×
          </button>
        </form>
      </div>
      <ImportForm idPrefix="dlg" target="#import-results" />
      <div id="import-results" class="import-results" data-dialog-results aria-live="polite"></div>
    </dialog>
  ) as string;
}
