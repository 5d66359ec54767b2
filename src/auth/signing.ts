import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 signatures for the session cookie and the stream tokens. The key
 * is derived from the configured API token, so changing the token signs every
 * browser out and voids every stream token, and instances that share a token
 * accept each other's cookies.
 */
export class Signer {
  private readonly key: Buffer;

  constructor(secret: string, purpose: string) {
    this.key = createHmac("sha256", secret).update(`traceport:${purpose}`).digest();
  }

  sign(payload: string): string {
    return `${payload}.${createHmac("sha256", this.key).update(payload).digest("base64url")}`;
  }

  /** The payload, if `signed` carries a valid signature. */
  verify(signed: string): string | null {
    const dot = signed.lastIndexOf(".");
    if (dot <= 0) return null;
    const payload = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1));
    const expected = Buffer.from(createHmac("sha256", this.key).update(payload).digest("base64url"));
    return given.length === expected.length && timingSafeEqual(given, expected) ? payload : null;
  }
}

/** Compares two secrets in constant time (for the API token). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHmac("sha256", "cmp").update(given).digest();
  const b = createHmac("sha256", "cmp").update(expected).digest();
  return timingSafeEqual(a, b);
}
