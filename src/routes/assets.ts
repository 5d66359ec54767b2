import { Elysia } from "elysia";
// Embedded at build time: `bun build --compile` puts these files inside the
// binary, and in development they resolve to the files on disk.
import htmxJs from "../../node_modules/htmx.org/dist/htmx.min.js" with { type: "file" };
import sseJs from "../../node_modules/htmx-ext-sse/dist/sse.min.js" with { type: "file" };
import appCss from "../../public/app.css" with { type: "file" };
import appJs from "../../public/app.js" with { type: "file" };
import favicon from "../../public/favicon.svg" with { type: "file" };

/** URL → embedded file and its content type. Versions are in the URL, so they can be cached for good. */
export const ASSETS: Record<string, { path: string; type: string }> = {
  "/assets/htmx-2.0.11.min.js": { path: htmxJs, type: "text/javascript; charset=utf-8" },
  "/assets/htmx-ext-sse-2.2.4.min.js": { path: sseJs, type: "text/javascript; charset=utf-8" },
  "/assets/app.css": { path: appCss, type: "text/css; charset=utf-8" },
  "/assets/app.js": { path: appJs, type: "text/javascript; charset=utf-8" },
  "/assets/favicon.svg": { path: favicon, type: "image/svg+xml" },
};

export function assetRoutes() {
  let app = new Elysia();
  for (const [url, asset] of Object.entries(ASSETS)) {
    // Our own files change between releases under the same URL; the libraries carry their version.
    const immutable = !url.startsWith("/assets/app.") && url !== "/assets/favicon.svg";
    app = app.get(url, () => {
      return new Response(Bun.file(asset.path), {
        headers: {
          "content-type": asset.type,
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "public, max-age=300",
        },
      });
    });
  }
  // Browsers ask for /favicon.ico whatever the page says.
  return app.get("/favicon.ico", () => Response.redirect("/assets/favicon.svg", 301));
}
