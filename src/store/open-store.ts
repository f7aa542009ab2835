import { join } from "node:path";
import type { Store } from "./store.js";

/** Where the embedded store lives inside the state directory. */
export function teamStorePath(homeDir: string): string {
  return join(homeDir, "team", "team.db");
}

/**
 * The embedded default store (SQLite in the state directory), loaded lazily so commands that never touch the
 * team store do not pay for the native driver.
 */
export async function openSqliteStore(path: string): Promise<Store> {
  const { SqliteStore } = await import("./sqlite/sqlite-store.js");
  return SqliteStore.open(path);
}
