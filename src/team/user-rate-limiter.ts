/** The answer to "may this person start another request now?". */
export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until a slot frees (the Retry-After the client gets). 0 when allowed. */
  retryAfterMs: number;
  limit: number;
  /** Requests left in the current minute after this one. */
  remaining: number;
}

/**
 * Requests per minute per person (`--user-rpm`). A sliding one-minute log, so a burst just after a minute boundary
 * is refused as it would be just before. Implemented in memory here; a Redis one shares the log across replicas.
 */
export interface UserRateLimiter {
  consume(login: string, now: number): Promise<RateDecision>;
  /** What `consume` would say, without counting (for the page). */
  peek(login: string, now: number): Promise<RateDecision>;
}

const WINDOW_MS = 60_000;

export function createMemoryRateLimiter(perMinute: number): UserRateLimiter {
  const logs = new Map<string, number[]>();
  const recent = (login: string, now: number): number[] => {
    const key = login.toLowerCase();
    const log = (logs.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    if (log.length === 0) logs.delete(key);
    else logs.set(key, log);
    return log;
  };
  const decide = (log: number[], now: number, counting: boolean): RateDecision => {
    if (log.length >= perMinute) {
      const retryAfterMs = Math.max(1, log[log.length - perMinute]! + WINDOW_MS - now);
      return { allowed: false, retryAfterMs, limit: perMinute, remaining: 0 };
    }
    return {
      allowed: true,
      retryAfterMs: 0,
      limit: perMinute,
      remaining: perMinute - log.length - (counting ? 1 : 0),
    };
  };
  return {
    async consume(login, now) {
      const log = recent(login, now);
      const decision = decide(log, now, true);
      if (decision.allowed) {
        log.push(now);
        logs.set(login.toLowerCase(), log);
      }
      return decision;
    },
    async peek(login, now) {
      return decide(recent(login, now), now, false);
    },
  };
}
