/** Small helpers for the routes that answer HTML. */

/** True for requests htmx makes (they get fragments; everything else gets whole pages). */
export function isHtmx(request: Request): boolean {
  return request.headers.get("hx-request") === "true";
}

export function html(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    // The same URL answers a fragment or a page, depending on HX-Request.
    headers: { "content-type": "text/html; charset=utf-8", vary: "HX-Request", ...headers },
  });
}

export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

/**
 * Where a plain (no-JavaScript) form post goes back to: the page it was sent
 * from when that page is on this server, otherwise `fallback`.
 */
export function backTo(request: Request, fallback: string): string {
  const referer = request.headers.get("referer");
  if (!referer) return fallback;
  try {
    const from = new URL(referer);
    const here = new URL(request.url);
    return from.host === here.host ? from.pathname + from.search : fallback;
  } catch {
    return fallback;
  }
}
