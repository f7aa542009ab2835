import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { TeamEvent, TeamEvents } from "../../team/team-events.js";
import type { RedisChannels } from "./redis-channels.js";
import type { RedisKeys } from "./redis-keys.js";

const teamEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("key_revoked"), login: z.string(), keyId: z.string(), keyHash: z.string() }),
  z.object({ type: z.literal("user_disabled"), login: z.string() }),
  z.object({ type: z.literal("user_token_changed"), login: z.string() }),
]);

const messageSchema = z.object({ origin: z.string(), event: teamEventSchema });

/**
 * Team events on Redis pub/sub: a revocation or a new sign-in on one replica reaches every replica (its own
 * included, through Redis) in milliseconds.
 */
export class RedisTeamEvents implements TeamEvents {
  readonly #channels: RedisChannels;
  readonly #channel: string;
  readonly #listeners = new Set<(event: TeamEvent) => void>();
  readonly #stop: () => void;
  /** Tags this replica's messages, so it does not hear its own twice (it tells its listeners directly). */
  readonly #origin = randomUUID();

  /** Subscribes at once (one SUBSCRIBE per replica), so listeners added later hear every event from then on. */
  constructor(channels: RedisChannels, keys: RedisKeys) {
    this.#channels = channels;
    this.#channel = keys.channel("team");
    this.#stop = channels.subscribe(this.#channel, (message) => {
      let value: unknown;
      try {
        value = JSON.parse(message);
      } catch {
        return;
      }
      const parsed = messageSchema.safeParse(value);
      if (!parsed.success || parsed.data.origin === this.#origin) return;
      this.#deliver(parsed.data.event);
    });
  }

  /** Resolves once the subscription is in place (start-up). */
  ready(): Promise<void> {
    return this.#channels.ready();
  }

  /** This replica's listeners hear it at once (even with Redis down); the others through Redis. */
  async publish(event: TeamEvent): Promise<void> {
    this.#deliver(event);
    await this.#channels.publish(this.#channel, JSON.stringify({ origin: this.#origin, event }));
  }

  #deliver(event: TeamEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // One broken listener must not keep the event from the others.
      }
    }
  }

  subscribe(listener: (event: TeamEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#stop();
  }
}
