/**
 * Headers on every response. The policy allows only this origin's scripts and
 * styles: the pages use no inline script, no inline style and no eval (htmx is
 * configured with allowEval and allowScriptTags off and its indicator styles
 * off; the waterfall positions bars with SVG attributes and CSS classes).
 */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};
