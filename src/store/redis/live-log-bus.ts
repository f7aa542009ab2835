import type { z } from "zod";
import type { RedisChannels } from "./redis-channels.js";
import type { RedisKeys } from "./redis-keys.js";

/**
 * The live request log across replicas: each replica publishes its finished requests and hears everyone else's,
 * so the page shows the traffic of all replicas whichever one serves it. Best effort, like the log itself: an
 * entry published while Redis is down is dropped, never queued and never a reason to fail a request.
 */
export class LiveLogBus<Entry> {
  readonly #channels: RedisChannels;
  readonly #channel: string;
  readonly #replica: string;
  readonly #schema: z.ZodType<Entry>;

  constructor(channels: RedisChannels, keys: RedisKeys, replica: string, schema: z.ZodType<Entry>) {
    this.#channels = channels;
    this.#channel = keys.channel("log");
    this.#replica = replica;
    this.#schema = schema;
  }

  publish(entry: Entry): void {
    this.#channels.publish(this.#channel, JSON.stringify({ replica: this.#replica, entry })).catch(() => {});
  }

  /** Entries from the other replicas (never this one's own), validated. */
  listen(onEntry: (entry: Entry, replica: string) => void): () => void {
    return this.#channels.subscribe(this.#channel, (message) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      const { replica, entry } = (parsed ?? {}) as { replica?: unknown; entry?: unknown };
      if (typeof replica !== "string" || replica === this.#replica) return;
      const valid = this.#schema.safeParse(entry);
      if (valid.success) onEntry(valid.data, replica);
    });
  }
}
