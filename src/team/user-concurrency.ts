/** A granted slot; call `release` exactly once when the request ends (however it ends). */
export interface ConcurrencySlot {
  release(): void;
}

/**
 * Requests in flight per person (`--user-concurrency`). `acquire` answers undefined when the person already has
 * `limit` requests running. In memory here; a Redis one counts across replicas (with leases that expire, so a
 * crashed replica does not hold slots forever).
 */
export interface UserConcurrencyLimiter {
  readonly limit: number;
  acquire(login: string): Promise<ConcurrencySlot | undefined>;
  inFlight(login: string): Promise<number>;
}

export function createMemoryConcurrencyLimiter(limit: number): UserConcurrencyLimiter {
  const running = new Map<string, number>();
  return {
    limit,
    async acquire(login) {
      const key = login.toLowerCase();
      const now = running.get(key) ?? 0;
      if (now >= limit) return undefined;
      running.set(key, now + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const left = (running.get(key) ?? 1) - 1;
          if (left <= 0) running.delete(key);
          else running.set(key, left);
        },
      };
    },
    async inFlight(login) {
      return running.get(login.toLowerCase()) ?? 0;
    },
  };
}
