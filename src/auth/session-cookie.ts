import { Signer } from "./signing.ts";

export const SESSION_COOKIE = "traceport_session";
const LIFETIME_MS = 7 * 24 * 3600 * 1000;

/** The browser session: a signed expiry in an HttpOnly, SameSite=Strict cookie. */
export class SessionCookies {
  private readonly signer: Signer;

  constructor(token: string) {
    this.signer = new Signer(token, "session");
  }

  /** The Set-Cookie value for a new session. */
  issue(secure: boolean, now = Date.now()): string {
    const value = this.signer.sign(`v1.${now + LIFETIME_MS}`);
    return cookie(value, LIFETIME_MS / 1000, secure);
  }

  /** The Set-Cookie value that ends the session. */
  clear(secure: boolean): string {
    return cookie("", 0, secure);
  }

  valid(cookieHeader: string | null, now = Date.now()): boolean {
    const raw = readCookie(cookieHeader, SESSION_COOKIE);
    const payload = raw ? this.signer.verify(raw) : null;
    const m = payload ? /^v1\.(\d+)$/.exec(payload) : null;
    return !!m && Number(m[1]) > now;
  }
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
