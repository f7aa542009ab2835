import { type UsageEvent, utcDay } from "../store/records.js";
import type { Store } from "../store/store.js";

/** What one answered request adds to its person's counters. */
export interface RequestUsage {
  login: string;
  keyId: string;
  model: string;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cachedTokens: number | undefined;
  /** Unix ms of the request (its day is the counters' day). */
  at: number;
}

export interface UsageRecorderOptions {
  store: Store;
  /** How long counts wait in memory before one write per person, key, model and day (default 1 s). */
  flushMs?: number | undefined;
  /** Past this many pending groups a write starts at once, so memory stays bounded under a burst. */
  maxPending?: number | undefined;
  warn?: ((message: string) => void) | undefined;
}

/**
 * Per-person usage counters, summed in memory and written to the Store in batches: the request path only adds to
 * a map, and the store sees one write per (person, key, model, day) per second at most, after the answers went out.
 * A failed write keeps its counts for the next try (Redis briefly away loses nothing).
 */
export class UsageRecorder {
  readonly #store: Store;
  readonly #flushMs: number;
  readonly #maxPending: number;
  readonly #warn: ((message: string) => void) | undefined;
  #pending = new Map<string, UsageEvent>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: UsageRecorderOptions) {
    this.#store = options.store;
    this.#flushMs = options.flushMs ?? 1000;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#warn = options.warn;
  }

  /** Counts not yet written (for tests and shutdown messages). */
  get pending(): number {
    return this.#pending.size;
  }

  add(usage: RequestUsage): void {
    const day = utcDay(usage.at);
    const group = `${usage.login.toLowerCase()}\n${usage.keyId}\n${usage.model}\n${day}`;
    const into = this.#pending.get(group);
    if (into) {
      into.requests += 1;
      into.inputTokens += usage.inputTokens ?? 0;
      into.outputTokens += usage.outputTokens ?? 0;
      into.cachedTokens += usage.cachedTokens ?? 0;
      into.at = Math.max(into.at, usage.at);
    } else {
      this.#pending.set(group, {
        login: usage.login,
        keyId: usage.keyId,
        model: usage.model,
        day,
        requests: 1,
        inputTokens: usage.inputTokens ?? 0,
        outputTokens: usage.outputTokens ?? 0,
        cachedTokens: usage.cachedTokens ?? 0,
        at: usage.at,
      });
    }
    if (this.#pending.size >= this.#maxPending) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
      this.#timer.unref();
    }
  }

  /** Write everything pending; resolves when it (and any write before it) is in the store. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#writing = this.#writing.then(() => this.#write(batch));
    return this.#writing;
  }

  async #write(batch: Map<string, UsageEvent>): Promise<void> {
    for (const [group, event] of batch) {
      try {
        await this.#store.recordUsage(event);
      } catch (error) {
        this.#warn?.(
          `warning: could not record usage for ${event.login} (kept for the next try): ${(error as Error).message}`,
        );
        this.#putBack(group, event);
      }
    }
  }

  /** A failed write's counts go back in front of whatever arrived since, unless memory is already full. */
  #putBack(group: string, event: UsageEvent): void {
    const later = this.#pending.get(group);
    if (later) {
      later.requests += event.requests;
      later.inputTokens += event.inputTokens;
      later.outputTokens += event.outputTokens;
      later.cachedTokens += event.cachedTokens;
      later.at = Math.max(later.at, event.at);
    } else if (this.#pending.size < this.#maxPending) this.#pending.set(group, event);
    if (!this.#timer && this.#pending.size > 0) {
      this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
      this.#timer.unref();
    }
  }

  /** Stop the timer and write what is left (shutdown). */
  async close(): Promise<void> {
    await this.flush();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
