import { z } from "zod";
import type { RedisChannels } from "./redis-channels.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisKeys } from "./redis-keys.js";

/** What was revoked: one key (by its hash) or everything of one person. */
export type Revocation = { keyHash: string } | { login: string };

/**
 * Tells every replica at once that a key or a person was revoked, so each can drop its local key-lookup cache
 * (one pub/sub message, delivered in milliseconds). A replica that lost its subscription for a while may have
 * missed some: it is told to forget everything it cached (`onResync`).
 */
export class RevocationBus {
  readonly #redis: RedisConnection;
  readonly #channel: string;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#channel = keys.channel("revoked");
  }

  async publish(revocation: Revocation): Promise<void> {
    await this.#redis.run((r) => r.publish(this.#channel, JSON.stringify(revocation)));
  }

  /** `onRevoked` for each message; `onMissed` after a reconnection, when messages may have been lost. */
  listen(
    channels: RedisChannels,
    onRevoked: (revocation: Revocation) => void,
    onMissed: () => void,
  ): () => void {
    const stopResync = channels.onResync(onMissed);
    const stop = channels.subscribe(this.#channel, (message) => {
      const parsed = parseRevocation(message);
      // Something we cannot read: drop everything rather than keep a key that may be revoked.
      if (parsed) onRevoked(parsed);
      else onMissed();
    });
    return () => {
      stop();
      stopResync();
    };
  }
}

const revocationSchema = z.union([z.object({ keyHash: z.string() }), z.object({ login: z.string() })]);

function parseRevocation(message: string): Revocation | undefined {
  try {
    const parsed = revocationSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
