import type { Redis } from "ioredis";
import type { RedisConnection } from "./redis-connection.js";

export type ChannelHandler = (message: string) => void;

/**
 * Pub/sub for one replica: one subscriber connection (pub/sub occupies a connection), handlers per channel, and a
 * "resynchronise" signal after every reconnection, because messages published while disconnected are lost for
 * good: whoever caches on the strength of messages must drop that cache then.
 */
export class RedisChannels {
  readonly #connection: RedisConnection;
  readonly #subscriber: Redis;
  readonly #handlers = new Map<string, Set<ChannelHandler>>();
  readonly #resyncHandlers = new Set<() => void>();
  #wasConnected = false;

  constructor(connection: RedisConnection) {
    this.#connection = connection;
    this.#subscriber = connection.duplicateForSubscriptions();
    this.#subscriber.on("message", (channel: string, message: string) => {
      for (const handler of this.#handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch {
          // One broken handler must not stop the others.
        }
      }
    });
    this.#subscriber.on("ready", () => {
      // The first connection needs no resync; every later one does (ioredis has re-subscribed by now).
      if (this.#wasConnected) for (const resync of this.#resyncHandlers) resync();
      this.#wasConnected = true;
    });
  }

  /** Wait until the subscriptions asked for so far are in place (start-up; tests). */
  async ready(): Promise<void> {
    // A PING queued behind the SUBSCRIBEs is answered after them.
    await this.#subscriber.ping();
  }

  /**
   * Handle messages on `channel`. The SUBSCRIBE itself is queued until the subscriber is connected (never awaited
   * here, so a Redis outage cannot block a caller); `ready()` tells when it is in place.
   */
  subscribe(channel: string, handler: ChannelHandler): () => void {
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      this.#subscriber.subscribe(channel).catch(() => {
        // Only fails when the connection is closed for good (shutdown); autoResubscribe covers reconnections.
      });
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /** Called after each reconnection of the subscriber (messages may have been missed meanwhile). */
  onResync(handler: () => void): () => void {
    this.#resyncHandlers.add(handler);
    return () => this.#resyncHandlers.delete(handler);
  }

  /** Publish on the command connection; fails fast (StoreUnavailableError) like any command. */
  async publish(channel: string, message: string): Promise<void> {
    await this.#connection.run((r) => r.publish(channel, message));
  }

  close(): void {
    this.#subscriber.disconnect();
  }
}
