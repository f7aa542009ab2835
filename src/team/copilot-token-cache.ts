/**
 * Copilot tokens shared between replicas, so one person's token is exchanged once for the whole cluster rather than
 * once per replica. Values are opaque text sealed by the caller with the secret box; the cache never sees a token
 * in clear. The in-memory one serves a single process (where each person's token manager already holds the token);
 * a Redis one shares it, expiring entries at `ttlMs`.
 */
export interface CopilotTokenCache {
  get(login: string): Promise<string | undefined>;
  set(login: string, sealed: string, ttlMs: number): Promise<void>;
  delete(login: string): Promise<void>;
}

export function createMemoryCopilotTokenCache(now: () => number = Date.now): CopilotTokenCache {
  const entries = new Map<string, { sealed: string; until: number }>();
  return {
    async get(login) {
      const entry = entries.get(login.toLowerCase());
      if (!entry) return undefined;
      if (entry.until <= now()) {
        entries.delete(login.toLowerCase());
        return undefined;
      }
      return entry.sealed;
    },
    async set(login, sealed, ttlMs) {
      entries.set(login.toLowerCase(), { sealed, until: now() + ttlMs });
    },
    async delete(login) {
      entries.delete(login.toLowerCase());
    },
  };
}
