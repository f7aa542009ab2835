import type { z } from "zod";
import type { RedisChannels } from "./redis-channels.js";
import type { RedisKeys } from "./redis-keys.js";

/** Entries finished within this long go out together, in one PUBLISH (busy replicas: not one per request). */
const BATCH_MS = 100;
/** A batch is sent at once when it reaches this size, so one message stays small. */
const MAX_BATCH = 200;

/**
 * The live request log across replicas: each replica publishes its finished requests and hears everyone else's,
 * so the page shows the traffic of all replicas whichever one serves it. Entries are sent in batches (at most
 * 100 ms late), one message per batch, so a busy replica does not pay a Redis write per request. Best effort, like
 * the log itself: a batch published while Redis is down is dropped, never queued and never a reason to fail a
 * request.
 */
export class LiveLogBus<Entry> {
  readonly #channels: RedisChannels;
  readonly #channel: string;
  readonly #replica: string;
  readonly #schema: z.ZodType<Entry>;
  #pending: Entry[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(channels: RedisChannels, keys: RedisKeys, replica: string, schema: z.ZodType<Entry>) {
    this.#channels = channels;
    this.#channel = keys.channel("log");
    this.#replica = replica;
    this.#schema = schema;
  }

  publish(entry: Entry): void {
    this.#pending.push(entry);
    if (this.#pending.length >= MAX_BATCH) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), BATCH_MS);
      this.#timer.unref();
    }
  }

  /** Send what is waiting now (also at shutdown). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const entries = this.#pending;
    this.#pending = [];
    this.#channels
      .publish(this.#channel, JSON.stringify({ replica: this.#replica, entries }))
      .catch(() => {});
  }

  /** Entries from the other replicas (never this one's own), each validated. */
  listen(onEntry: (entry: Entry, replica: string) => void): () => void {
    return this.#channels.subscribe(this.#channel, (message) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      const { replica, entries } = (parsed ?? {}) as { replica?: unknown; entries?: unknown };
      if (typeof replica !== "string" || replica === this.#replica || !Array.isArray(entries)) return;
      for (const entry of entries) {
        const valid = this.#schema.safeParse(entry);
        if (valid.success) onEntry(valid.data, replica);
      }
    });
  }
}
