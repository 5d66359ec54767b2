import type { PropsWithChildren } from "@kitajs/html";

export interface LayoutProps {
  title: string;
}

/** The page shell: embedded htmx and its SSE extension (classic scripts, htmx first), the stylesheet. */
export function Layout({ title, children }: PropsWithChildren<LayoutProps>): string {
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content='{"allowEval":false,"includeIndicatorStyles":false}' />
          <title safe>{title}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/htmx-2.0.11.min.js" defer></script>
          <script src="/assets/htmx-ext-sse-2.2.4.min.js" defer></script>
        </head>
        <body>
          <header class="site">
            <a class="brand" href="/">
              traceport
            </a>
          </header>
          <main>{children}</main>
        </body>
      </html>
    </>
  ) as string;
}
