import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { RateDecision, UserRateLimiter } from "../../team/user-rate-limiter.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";
import { RedisScript } from "./redis-script.js";

const WINDOW_MS = 60_000;

/**
 * A sliding one-minute log per person in a sorted set, checked and appended in one script so every replica counts
 * against the same log. KEYS: the person's log. ARGV: limit, now, window, member ("" = only look).
 * Returns {allowed, retry-after ms, remaining}. A refused request is not counted.
 */
const CONSUME = new RedisScript(`
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used >= limit then
  local nth = redis.call('ZRANGE', KEYS[1], used - limit, used - limit, 'WITHSCORES')
  return {0, math.max(1, tonumber(nth[2]) + window - now), 0}
end
if ARGV[4] == '' then return {1, 0, limit - used} end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0, limit - used - 1}
`);

const answer = z.tuple([z.union([z.literal(0), z.literal(1)]), z.number(), z.number()]);

/** `--user-rpm` counted across replicas: one script, one round trip per request. */
export class RedisRateLimiter implements UserRateLimiter {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #limit: number;

  constructor(redis: RedisConnection, keys: RedisKeys, perMinute: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#limit = perMinute;
  }

  consume(login: string, now: number): Promise<RateDecision> {
    return this.#ask(login, now, `${now}-${randomUUID()}`);
  }

  peek(login: string, now: number): Promise<RateDecision> {
    return this.#ask(login, now, "");
  }

  async #ask(login: string, now: number, member: string): Promise<RateDecision> {
    const raw = await this.#redis.run((r) =>
      CONSUME.run(r, [this.#keys.person(login, "rpm")], [this.#limit, now, WINDOW_MS, member]),
    );
    const [allowed, retryAfterMs, remaining] = answer.parse(raw);
    return { allowed: allowed === 1, retryAfterMs, limit: this.#limit, remaining };
  }
}
