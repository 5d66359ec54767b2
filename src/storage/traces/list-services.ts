import type { Store } from "../database.ts";

/** Every service name that has a stored trace, sorted. */
export function listServices(store: Store): string[] {
  return (store.sqlite.query("SELECT DISTINCT service FROM trace_services ORDER BY service").all() as { service: string }[]).map((r) => r.service);
}
