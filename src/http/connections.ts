import type { HttpServer } from "../runtime/index.ts";

/**
 * The listening server's per-connection controls, for routes: the app is
 * built before it listens, so the server is attached once it does.
 */
export class Connections {
  private server: HttpServer | null = null;

  attach(server: HttpServer): void {
    this.server = server;
  }

  /** Exempts a long-lived stream from the idle timeout for ordinary requests. */
  keepOpen(request: Request): void {
    this.server?.keepOpen(request);
  }

  clientAddress(request: Request): string | null {
    return this.server?.clientAddress(request) ?? null;
  }
}
