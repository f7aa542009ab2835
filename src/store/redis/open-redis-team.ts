import { randomUUID } from "node:crypto";
import { RedisConcurrencyLimiter } from "./concurrency-limiter.js";
import { RedisRateLimiter } from "./rate-limiter.js";
import { RedisChannels } from "./redis-channels.js";
import { RedisConnection } from "./redis-connection.js";
import { RedisKeys } from "./redis-keys.js";
import { RedisStore } from "./redis-store.js";
import { SharedTokens } from "./shared-token.js";
import { RedisTeamEvents } from "./team-events.js";

export interface RedisTeamOptions {
  url: string;
  prefix: string;
  /** PEM CA for `rediss://` behind a private CA (the gateway's `--ca-file`). */
  ca?: string | Buffer | undefined;
  userRpm?: number | undefined;
  userConcurrency?: number | undefined;
  /** Lines an operator should see: Redis lost and back. */
  say?: ((line: string) => void) | undefined;
}

/** Everything one replica shares with the others through Redis. */
export interface RedisTeamBackend {
  /** This replica's name in the shared live log. */
  readonly replica: string;
  readonly connection: RedisConnection;
  readonly channels: RedisChannels;
  readonly keys: RedisKeys;
  readonly store: RedisStore;
  readonly events: RedisTeamEvents;
  readonly tokens: SharedTokens;
  readonly rateLimiter: RedisRateLimiter | undefined;
  readonly concurrency: RedisConcurrencyLimiter | undefined;
  /** False while Redis cannot be reached (`/readyz` says so); true again once it is, without a restart. */
  ready(): boolean;
  close(): Promise<void>;
}

/** Connect to Redis (failing `serve` at once with one line when it cannot) and build the shared parts. */
export async function openRedisTeamBackend(options: RedisTeamOptions): Promise<RedisTeamBackend> {
  const keys = new RedisKeys(options.prefix);
  const say = options.say ?? (() => {});
  const connection = await RedisConnection.open({
    url: options.url,
    ca: options.ca,
    onStateChange: (ready, detail) =>
      say(
        ready
          ? `Redis at ${connection.target} is reachable again; serving normally.`
          : `warning: lost Redis at ${connection.target} (${detail}); requests that need it get 503 until it is back (retrying every second).`,
      ),
  });
  const channels = new RedisChannels(connection);
  const store = new RedisStore(connection, keys, { channels });
  const events = new RedisTeamEvents(channels, keys);
  const tokens = new SharedTokens(connection, channels, keys, {
    onFallback: () => {},
  });
  const rateLimiter = options.userRpm ? new RedisRateLimiter(connection, keys, options.userRpm) : undefined;
  const concurrency = options.userConcurrency
    ? new RedisConcurrencyLimiter(connection, keys, options.userConcurrency)
    : undefined;
  // Subscriptions in place before the first request, so no revocation published from now on is missed.
  await channels.ready();
  return {
    replica: randomUUID().slice(0, 8),
    connection,
    channels,
    keys,
    store,
    events,
    tokens,
    rateLimiter,
    concurrency,
    ready: () => connection.ready,
    async close() {
      concurrency?.stop();
      await events.close();
      await store.close();
      channels.close();
      await connection.close();
    },
  };
}
