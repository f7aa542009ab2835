import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Admission, UserAdmission } from "../../team/user-admission.js";
import type { RedisConcurrencyLimiter } from "./concurrency-limiter.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";
import { RedisScript } from "./redis-script.js";

const WINDOW_MS = 60_000;

/**
 * Both per-person limits in one script, so an admitted request costs one round trip. KEYS: the person's minute log,
 * their leases (same hash tag, same Cluster slot). ARGV: requests per minute (0 = none), now (the replica's clock,
 * as the rate limiter's `peek` uses), log member, slots (0 = none), lease id, lease ms.
 * Both limits are checked before anything is written: a refused request takes no slot and uses none of the minute.
 * Returns {1 admitted, 0 minute used up, -1 no slot free; retry-after ms; remaining this minute}.
 */
const ADMIT = new RedisScript(`
local rpm = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local slots = tonumber(ARGV[4])
local used = 0
if rpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${WINDOW_MS})
  used = redis.call('ZCARD', KEYS[1])
  if used >= rpm then
    local nth = redis.call('ZRANGE', KEYS[1], used - rpm, used - rpm, 'WITHSCORES')
    return {0, math.max(1, tonumber(nth[2]) + ${WINDOW_MS} - now), 0}
  end
end
if slots > 0 then
  local t = redis.call('TIME')
  local server = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', server)
  if redis.call('ZCARD', KEYS[2]) >= slots then return {-1, 1000, 0} end
  redis.call('ZADD', KEYS[2], server + tonumber(ARGV[6]), ARGV[5])
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6])) end
end
if rpm > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ${WINDOW_MS})
  return {1, 0, rpm - used - 1}
end
return {1, 0, 0}
`);

const answer = z.tuple([z.union([z.literal(1), z.literal(0), z.literal(-1)]), z.number(), z.number()]);

export interface RedisAdmissionLimits {
  /** `--user-rpm`. */
  perMinute?: number | undefined;
  /** `--user-concurrency`: its leases are kept (renewed, released) by this limiter. */
  concurrency?: RedisConcurrencyLimiter | undefined;
}

/**
 * `--user-rpm` and `--user-concurrency` together on Redis: one script per request decides and takes both, on the
 * same keys the two separate limiters use (so the page's "left this minute" and `inFlight` read the same counts).
 * The slot is a lease the concurrency limiter renews while the request runs and deletes when it ends; a replica
 * that dies stops renewing, and its slots come back when the lease runs out.
 */
export class RedisUserAdmission implements UserAdmission {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #perMinute: number;
  readonly #concurrency: RedisConcurrencyLimiter | undefined;

  constructor(redis: RedisConnection, keys: RedisKeys, limits: RedisAdmissionLimits) {
    this.#redis = redis;
    this.#keys = keys;
    this.#perMinute = limits.perMinute ?? 0;
    this.#concurrency = limits.concurrency;
  }

  async admit(login: string, now: number): Promise<Admission> {
    const leases = this.#keys.person(login, "inflight");
    const lease = randomUUID();
    const raw = await this.#redis.run((r) =>
      ADMIT.run(
        r,
        [this.#keys.person(login, "rpm"), leases],
        [
          this.#perMinute,
          now,
          `${now}-${lease}`,
          this.#concurrency?.limit ?? 0,
          lease,
          this.#concurrency?.leaseMs ?? 0,
        ],
      ),
    );
    const [verdict, retryAfterMs] = answer.parse(raw);
    if (verdict === 0) return { allowed: false, reason: "rate", limit: this.#perMinute, retryAfterMs };
    if (verdict === -1)
      return { allowed: false, reason: "concurrency", limit: this.#concurrency?.limit ?? 0 };
    return { allowed: true, slot: this.#concurrency?.adopt(leases, lease) };
  }
}
