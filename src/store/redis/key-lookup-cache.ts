/** What a cached key lookup must say about its owner, so a person-wide revocation can find their entries. */
export interface CachedOwner {
  login: string;
}

export interface KeyLookupCacheOptions {
  /** Most entries kept (least recently used go first). */
  maxEntries?: number;
  /** A found key is trusted this long without asking Redis, unless a revocation drops it sooner. */
  ttlMs?: number;
  /** An unknown key is remembered as unknown this long (a burst of bad keys does not hammer Redis). */
  negativeTtlMs?: number;
  now?: () => number;
}

interface Entry<V> {
  value: V | undefined;
  expires: number;
}

/**
 * A replica's local cache of key-hash → owner lookups, so the hot path needs no Redis round trip for a key seen
 * recently. Revocations (pub/sub) drop entries at once; the TTL only bounds how long an entry lives if a message
 * were ever lost without the reconnection that clears everything. A lookup that raced a revocation is not cached
 * (the generation moved while it was in flight).
 */
export class KeyLookupCache<V extends CachedOwner> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #max: number;
  readonly #ttl: number;
  readonly #negativeTtl: number;
  readonly #now: () => number;
  #generation = 0;

  constructor(options: KeyLookupCacheOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#ttl = options.ttlMs ?? 30_000;
    this.#negativeTtl = options.negativeTtlMs ?? 5_000;
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached answer, or `load()` once (its answer cached unless a revocation arrived meanwhile). */
  async lookup(hash: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.#entries.get(hash);
    if (hit && this.#now() < hit.expires) {
      // Refresh its place in the LRU order.
      this.#entries.delete(hash);
      this.#entries.set(hash, hit);
      return hit.value;
    }
    if (hit) this.#entries.delete(hash);
    const generation = this.#generation;
    const value = await load();
    if (generation === this.#generation) {
      this.#entries.set(hash, { value, expires: this.#now() + (value ? this.#ttl : this.#negativeTtl) });
      if (this.#entries.size > this.#max) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    return value;
  }

  dropKey(hash: string): void {
    this.#generation++;
    this.#entries.delete(hash);
  }

  dropLogin(login: string): void {
    this.#generation++;
    const wanted = login.toLowerCase();
    for (const [hash, entry] of this.#entries)
      if (entry.value && entry.value.login.toLowerCase() === wanted) this.#entries.delete(hash);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
