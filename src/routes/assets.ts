import { Elysia } from "elysia";
// Imported as text, so they are part of the program: the bundler inlines them
// into the compiled binary, and Bun and Deno (its raw-imports flag) read them
// from disk when running from source. All five are text files.
import htmxJs from "../../node_modules/htmx.org/dist/htmx.min.js" with { type: "text" };
import sseJs from "../../node_modules/htmx-ext-sse/dist/sse.min.js" with { type: "text" };
import appCss from "../../public/app.css" with { type: "text" };
import appJs from "../../public/app.js" with { type: "text" };
import favicon from "../../public/favicon.svg" with { type: "text" };

/** URL → embedded content and its content type. Versions are in the URL, so they can be cached for good. */
export const ASSETS: Record<string, { body: string; type: string }> = {
  "/assets/htmx-2.0.11.min.js": { body: htmxJs, type: "text/javascript; charset=utf-8" },
  "/assets/htmx-ext-sse-2.2.4.min.js": { body: sseJs, type: "text/javascript; charset=utf-8" },
  "/assets/app.css": { body: appCss, type: "text/css; charset=utf-8" },
  "/assets/app.js": { body: appJs, type: "text/javascript; charset=utf-8" },
  "/assets/favicon.svg": { body: favicon, type: "image/svg+xml" },
};

export function assetRoutes() {
  let app = new Elysia();
  for (const [url, asset] of Object.entries(ASSETS)) {
    // Our own files change between releases under the same URL; the libraries carry their version.
    const immutable = !url.startsWith("/assets/app.") && url !== "/assets/favicon.svg";
    app = app.get(url, () => {
      return new Response(asset.body, {
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
