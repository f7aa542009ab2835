import { randomUUID } from "node:crypto";
import type { ConcurrencySlot, UserConcurrencyLimiter } from "../../team/user-concurrency.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";
import { RedisScript } from "./redis-script.js";

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Requests in flight per person as leases in a sorted set (score = expiry on the Redis server's clock, so replicas
 * need not agree on time). KEYS: the person's leases. ARGV: limit, lease id, lease ms. 1 granted, 0 refused.
 */
const ACQUIRE = new RedisScript(`${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`);

/** Push a held lease's expiry out (XX: a released or expired lease stays gone). KEYS: leases. ARGV: id, lease ms. */
const RENEW = new RedisScript(`${NOW}
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`);

/** KEYS: leases. The number of live leases. */
const COUNT = new RedisScript(`${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
`);

export interface RedisConcurrencyOptions {
  /** A slot whose replica stops renewing it (killed mid-stream) is free again after this long. */
  leaseMs?: number | undefined;
  /** Told when a release or renewal could not reach Redis (the lease then simply expires). */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * `--user-concurrency` counted across replicas. Each granted slot is a lease this replica renews while the request
 * runs, so a replica that dies gives its slots back within one lease time instead of holding them forever.
 */
export class RedisConcurrencyLimiter implements UserConcurrencyLimiter {
  readonly limit: number;
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #leaseMs: number;
  readonly #onError: (error: unknown) => void;
  /** Leases held by this replica: id → leases key. Renewed together on one timer. */
  readonly #held = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: RedisConnection, keys: RedisKeys, limit: number, options: RedisConcurrencyOptions = {}) {
    this.limit = limit;
    this.#redis = redis;
    this.#keys = keys;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#onError = options.onError ?? (() => {});
  }

  /** How long a lease lives without renewal. */
  get leaseMs(): number {
    return this.#leaseMs;
  }

  async acquire(login: string): Promise<ConcurrencySlot | undefined> {
    const key = this.#keys.person(login, "inflight");
    const id = randomUUID();
    const granted = await this.#redis.run((r) => ACQUIRE.run(r, [key], [this.limit, id, this.#leaseMs]));
    if (granted !== 1) return undefined;
    return this.adopt(key, id);
  }

  /**
   * Keep a lease granted elsewhere (the combined admission script) the way `acquire` keeps its own: renewed while
   * held, deleted on release.
   */
  adopt(key: string, id: string): ConcurrencySlot {
    this.#hold(id, key);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#held.delete(id);
        if (this.#held.size === 0) this.#stopTimer();
        this.#redis.run((r) => r.zrem(key, id)).catch(this.#onError);
      },
    };
  }

  async inFlight(login: string): Promise<number> {
    return Number(await this.#redis.run((r) => COUNT.run(r, [this.#keys.person(login, "inflight")], [])));
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
