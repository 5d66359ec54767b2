import { Signer } from "./signing.ts";

/** How long a stream token may be used to connect. */
export const STREAM_TOKEN_TTL_MS = 60_000;

/**
 * Short-lived tokens for a cross-origin EventSource, which cannot send an
 * Authorization header: scoped to one job's stream, valid for 60 s to
 * connect (a stream that is open stays open). Stateless and signed, so any
 * instance sharing the API token accepts them.
 */
export class StreamTokens {
  private readonly signer: Signer;

  constructor(token: string) {
    this.signer = new Signer(token, "stream");
  }

  mint(jobId: string, now = Date.now()): { token: string; expiresAt: string } {
    const expires = now + STREAM_TOKEN_TTL_MS;
    return { token: this.signer.sign(`st1.${jobId}.${expires}`), expiresAt: new Date(expires).toISOString() };
  }

  /** True when `token` was minted for this job's stream and has not expired. */
  allows(token: string, jobId: string, now = Date.now()): boolean {
    const payload = this.signer.verify(token);
    const m = payload ? /^st1\.(.+)\.(\d+)$/.exec(payload) : null;
    return !!m && m[1] === jobId && Number(m[2]) > now;
  }
}
