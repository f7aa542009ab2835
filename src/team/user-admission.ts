import type { ConcurrencySlot, UserConcurrencyLimiter } from "./user-concurrency.js";
import type { UserRateLimiter } from "./user-rate-limiter.js";

/** The answer to "may this person start a request now?" under both per-person limits at once. */
export type Admission =
  | {
      allowed: true /** Held until the request ends, when there is a concurrency limit. */;
      slot: ConcurrencySlot | undefined;
    }
  | { allowed: false; reason: "rate"; limit: number; retryAfterMs: number }
  | { allowed: false; reason: "concurrency"; limit: number };

/**
 * Both per-person limits (`--user-rpm`, `--user-concurrency`) decided together, so a shared store answers them in
 * one round trip. A refused request counts against neither limit: it neither takes a slot nor uses up the minute.
 */
export interface UserAdmission {
  admit(login: string, now: number): Promise<Admission>;
}

/**
 * The two separate limiters as one admission (in memory, or any pair). Like the Redis script, the minute is looked
 * at first (a person over both limits is told about the minute), then the slot is taken, then the minute counted;
 * the slot is given back if the minute filled meanwhile, so a refusal by either leaves the other unchanged.
 */
export function composeAdmission(
  rate: UserRateLimiter | undefined,
  concurrency: UserConcurrencyLimiter | undefined,
): UserAdmission {
  return {
    async admit(login, now) {
      if (rate) {
        const look = await rate.peek(login, now);
        if (!look.allowed)
          return { allowed: false, reason: "rate", limit: look.limit, retryAfterMs: look.retryAfterMs };
      }
      let slot: ConcurrencySlot | undefined;
      if (concurrency) {
        slot = await concurrency.acquire(login);
        if (!slot) return { allowed: false, reason: "concurrency", limit: concurrency.limit };
      }
      if (rate) {
        const decision = await rate.consume(login, now).catch((error: unknown) => {
          slot?.release();
          throw error;
        });
        if (!decision.allowed) {
          slot?.release();
          return {
            allowed: false,
            reason: "rate",
            limit: decision.limit,
            retryAfterMs: decision.retryAfterMs,
          };
        }
      }
      return { allowed: true, slot };
    },
  };
}
