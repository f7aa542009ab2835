import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { RedisChannels } from "./redis-channels.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";
import { RedisScript } from "./redis-script.js";
import { StoreUnavailableError } from "./store-unavailable.js";

/** A short-lived credential shared by every replica: opaque (already sealed) payload plus wall-clock times. */
export interface SharedTokenValue {
  /** What the caller stores; sealed by the caller, never a token in clear. */
  payload: string;
  /** A fingerprint of the token inside (not the token), so a 401 can drop exactly the token that failed. */
  fingerprint: string;
  /** Unix ms after which any replica should fetch a new one. */
  refreshAt: number;
  /** Unix ms after which it is useless (Redis forgets it then). */
  expiresAt: number;
}

export interface SharedTokenOptions {
  /** How long one replica may hold the right to exchange before another may take over (a dead holder). */
  lockMs?: number;
  /** How long a replica waits for another's exchange before doing its own. */
  waitMs?: number;
  /** Wall clock, injectable. */
  now?: () => number;
  /** Told when Redis could not be used and the exchange ran locally instead. */
  onFallback?: (error: unknown) => void;
}

const storedSchema = z.object({ payload: z.string(), refreshAt: z.number(), expiresAt: z.number() });

/** Delete the lock only if we still hold it (it may have expired and been taken by another replica). */
const RELEASE_LOCK = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Delete the shared token only if it is the one that failed (another replica may have refreshed it already). */
const DROP_IF_SAME = new RedisScript(`
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * A distributed single flight for short-lived tokens (Copilot tokens per person, GitHub App installation tokens):
 * the token lives in Redis with a TTL, and when it is due one replica takes a lock (`SET NX PX`), exchanges, stores
 * the new token and announces it on a channel; the others wait for that announcement (or the lock to go) and read
 * it. So N replicas make one exchange per token per refresh period. Redis being down never blocks a token: the
 * replica then exchanges on its own, as a single process would.
 */
export class SharedTokens {
  readonly #redis: RedisConnection;
  readonly #channels: RedisChannels;
  readonly #keys: RedisKeys;
  readonly #lockMs: number;
  readonly #waitMs: number;
  readonly #now: () => number;
  readonly #onFallback: (error: unknown) => void;
  readonly #owner = randomUUID();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #inflight = new Map<string, Promise<SharedTokenValue>>();
  #listening = false;

  constructor(
    redis: RedisConnection,
    channels: RedisChannels,
    keys: RedisKeys,
    options: SharedTokenOptions = {},
  ) {
    this.#redis = redis;
    this.#channels = channels;
    this.#keys = keys;
    this.#lockMs = options.lockMs ?? 15_000;
    this.#waitMs = options.waitMs ?? 20_000;
    this.#now = options.now ?? Date.now;
    this.#onFallback = options.onFallback ?? (() => {});
  }

  /**
   * The shared token for `tag`/`name` (e.g. a person's hash tag and "copilot-token"), exchanging with `produce`
   * only when no replica has a fresh one. Concurrent callers in this process share one call.
   */
  get(tag: string, name: string, produce: () => Promise<SharedTokenValue>): Promise<SharedTokenValue> {
    const key = this.#keys.scoped(tag, name);
    const running = this.#inflight.get(key);
    if (running) return running;
    const run = this.#fetch(key, produce).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, run);
    return run;
  }

  /** Forget the shared token if it is still the one with this fingerprint (it was refused upstream). */
  async invalidate(tag: string, name: string, fingerprint: string): Promise<void> {
    const key = this.#keys.scoped(tag, name);
    await this.#redis.run((r) => DROP_IF_SAME.run(r, [key], [fingerprint])).catch(this.#onFallback);
  }

  async #fetch(key: string, produce: () => Promise<SharedTokenValue>): Promise<SharedTokenValue> {
    try {
      this.#listen();
      const deadline = this.#now() + this.#waitMs;
      for (;;) {
        const shared = await this.#read(key);
        if (shared && this.#now() < shared.refreshAt) return shared;
        const lockKey = `${key}:lock`;
        const locked = await this.#redis.run((r) => r.set(lockKey, this.#owner, "PX", this.#lockMs, "NX"));
        if (locked === "OK") {
          try {
            // Another replica may have stored a fresh one between our read and our lock.
            const again = await this.#read(key);
            if (again && this.#now() < again.refreshAt) return again;
            const fresh = await produce();
            await this.#store(key, fresh);
            return fresh;
          } finally {
            await this.#redis.run((r) => RELEASE_LOCK.run(r, [lockKey], [this.#owner])).catch(() => {});
          }
        }
        if (this.#now() >= deadline) return await produce();
        await this.#waitForAnnouncement(key, Math.min(250, deadline - this.#now()));
      }
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // Redis is down: a token is still needed, and a single process can get one on its own.
      this.#onFallback(error);
      return await produce();
    }
  }

  async #read(key: string): Promise<SharedTokenValue | undefined> {
    const raw = await this.#redis.run((r) => r.get(key));
    if (raw === null) return undefined;
    const bar = raw.indexOf("|");
    try {
      const meta = storedSchema.safeParse(JSON.parse(raw.slice(bar + 1)));
      // Unreadable (another version wrote it?): treat as absent, a fresh exchange overwrites it.
      return meta.success ? { ...meta.data, fingerprint: raw.slice(0, bar) } : undefined;
    } catch {
      return undefined;
    }
  }

  async #store(key: string, value: SharedTokenValue): Promise<void> {
    const ttl = Math.max(1, Math.floor(value.expiresAt - this.#now()));
    const body = JSON.stringify({
      payload: value.payload,
      refreshAt: value.refreshAt,
      expiresAt: value.expiresAt,
    });
    // Stored as `fingerprint|json`, so DROP_IF_SAME compares without decoding JSON in Lua.
    await this.#redis.run((r) => r.set(key, `${value.fingerprint}|${body}`, "PX", ttl));
    await this.#channels.publish(this.#keys.channel("token"), key).catch(() => {});
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#channels.subscribe(this.#keys.channel("token"), (key) => {
      for (const wake of this.#waiters.get(key) ?? []) wake();
    });
  }

  /** Resolves when another replica announces a token for `key`, or after `ms` (then the caller looks again). */
  #waitForAnnouncement(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(key);
      if (!set) {
        set = new Set();
        this.#waiters.set(key, set);
      }
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, Math.max(10, ms));
      waiters.add(done);
    });
  }
}
