import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";
import { RedisScript } from "./redis-script.js";

/**
 * Requests per minute (a sliding 60 s window) and requests in flight for one person, counted in Redis so every
 * replica sees the same numbers. Both checks and both counts happen in one script, atomically, in one round trip:
 * a refusal by either limit consumes neither. Time comes from the Redis server, so replicas with drifting clocks
 * agree. An in-flight slot is a lease that expires unless its replica renews it, so a replica that dies mid-stream
 * gives its slots back within one lease.
 *
 * KEYS: the person's request window (sorted set), their in-flight leases (sorted set).
 * ARGV: rpm (0 = no limit), concurrency (0 = no limit), lease id, lease ms, window ms.
 * Returns {allowed (1|0), reason, retry-after ms, remaining requests in the window (-1 = no limit)}.
 */
const ACQUIRE = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm = tonumber(ARGV[1])
local concurrency = tonumber(ARGV[2])
local id = ARGV[3]
local lease = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local used = 0
if rpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  used = redis.call('ZCARD', KEYS[1])
  if used >= rpm then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {0, 'rpm', math.max(1, tonumber(oldest[2]) + window - now), 0}
  end
end
if concurrency > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= concurrency then
    return {0, 'concurrency', 1000, math.max(-1, rpm - used)}
  end
  redis.call('ZADD', KEYS[2], now + lease, id)
  redis.call('PEXPIRE', KEYS[2], lease)
end
if rpm > 0 then
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, '', 0, rpm - used - 1}
end
return {1, '', 0, -1}
`);

/** Push a lease's expiry out (only if it is still held: a released or expired lease stays gone). */
const RENEW = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`);

const acquireAnswer = z.tuple([
  z.union([z.literal(0), z.literal(1)]),
  z.enum(["", "rpm", "concurrency"]),
  z.number(),
  z.number(),
]);

export interface UserLimits {
  /** Requests per sliding minute; 0 or undefined for no limit. */
  rpm?: number | undefined;
  /** Requests in flight at once; 0 or undefined for no limit. */
  concurrency?: number | undefined;
}

export type LimitDecision =
  | { allowed: true; remaining: number | undefined; release: () => void }
  | { allowed: false; reason: "rpm" | "concurrency"; retryAfterMs: number };

export interface RedisUserLimiterOptions {
  /** A held slot not renewed for this long is freed (its replica is gone). */
  leaseMs?: number;
  windowMs?: number;
  /** Told when a release or renewal could not reach Redis (the lease then simply expires). */
  onError?: (error: unknown) => void;
}

export class RedisUserLimiter {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #leaseMs: number;
  readonly #windowMs: number;
  readonly #onError: (error: unknown) => void;
  /** Leases this replica holds: id → in-flight key. Renewed together on one timer. */
  readonly #held = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: RedisConnection, keys: RedisKeys, options: RedisUserLimiterOptions = {}) {
    this.#redis = redis;
    this.#keys = keys;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#onError = options.onError ?? (() => {});
  }

  /** Count one request for `login`, or say why not. Throws StoreUnavailableError when Redis cannot answer. */
  async acquire(login: string, limits: UserLimits): Promise<LimitDecision> {
    const rpm = limits.rpm ?? 0;
    const concurrency = limits.concurrency ?? 0;
    if (rpm <= 0 && concurrency <= 0) return { allowed: true, remaining: undefined, release: () => {} };
    const id = randomUUID();
    const inflightKey = this.#keys.person(login, "inflight");
    const raw = await this.#redis.run((r) =>
      ACQUIRE.run(
        r,
        [this.#keys.person(login, "rpm"), inflightKey],
        [rpm, concurrency, id, this.#leaseMs, this.#windowMs],
      ),
    );
    const [allowed, reason, retryAfterMs, remaining] = acquireAnswer.parse(raw);
    if (allowed === 0)
      return { allowed: false, reason: reason === "rpm" ? "rpm" : "concurrency", retryAfterMs };
    if (concurrency <= 0) return { allowed: true, remaining, release: () => {} };
    this.#hold(id, inflightKey);
    let released = false;
    return {
      allowed: true,
      remaining: remaining < 0 ? undefined : remaining,
      release: () => {
        if (released) return;
        released = true;
        this.#held.delete(id);
        if (this.#held.size === 0) this.#stopTimer();
        this.#redis.run((r) => r.zrem(inflightKey, id)).catch(this.#onError);
      },
    };
  }

  /** Stop renewing (shutdown): the leases still held expire on their own. */
  stop(): void {
    this.#held.clear();
    this.#stopTimer();
  }

  #hold(id: string, key: string): void {
    this.#held.set(id, key);
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#renewAll(), Math.max(100, Math.floor(this.#leaseMs / 3)));
    this.#timer.unref();
  }

  #renewAll(): void {
    for (const [id, key] of this.#held)
      this.#redis.run((r) => RENEW.run(r, [key], [id, this.#leaseMs])).catch(this.#onError);
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
