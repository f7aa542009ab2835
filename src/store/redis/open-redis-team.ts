import { randomUUID } from "node:crypto";
import type { RequestLog } from "../../server/request-log.js";
import type { SecretBox } from "../../team/secret-box.js";
import type { SharedSessionToken } from "../../team/session-pool.js";
import { RedisConcurrencyLimiter } from "./concurrency-limiter.js";
import { LiveLogBus } from "./live-log-bus.js";
import { RedisRateLimiter } from "./rate-limiter.js";
import { RedisChannels } from "./redis-channels.js";
import { RedisConnection } from "./redis-connection.js";
import { DEFAULT_REDIS_PREFIX, RedisKeys } from "./redis-keys.js";
import { RedisStore } from "./redis-store.js";
import { requestLogEntrySchema } from "./request-log-entry.js";
import { SharedCopilotToken } from "./shared-copilot-token.js";
import { SharedInstallationToken } from "./shared-installation-token.js";
import { SharedTokens } from "./shared-token.js";
import { RedisTeamEvents } from "./team-events.js";
import { RedisUserAdmission } from "./user-admission.js";

export interface RedisTeamOptions {
  url: string;
  prefix: string;
  /** PEM CA for `rediss://` behind a private CA (the gateway's `--ca-file`). */
  ca?: string | Buffer | undefined;
  userRpm?: number | undefined;
  userConcurrency?: number | undefined;
  /** How long a concurrency slot of a replica that stopped renewing it (killed) stays taken; default 60 s. */
  leaseMs?: number | undefined;
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
  /** Both limits in one script per request (undefined without either). */
  readonly admission: RedisUserAdmission | undefined;
  /** "store_unavailable" while Redis cannot be reached (`/readyz`); undefined again once it is, without a restart. */
  notReadyReason(): string | undefined;
  /** A person's Copilot token through Redis (the session pool's `shareToken`). */
  copilotToken(login: string, box: SecretBox): SharedSessionToken;
  /**
   * `--billing org`: the App installation's `ghs_` token and the Copilot token exchanged for it, both shared, so the
   * deployment mints and exchanges once per period whatever the number of replicas.
   */
  appTokens(
    installationId: string,
    box: SecretBox,
  ): { installation: SharedInstallationToken; copilot: SharedSessionToken };
  /** Publish this replica's finished requests and add the other replicas' to `log` (the page's live log). */
  shareRequestLog(log: RequestLog): void;
  close(): Promise<void>;
}

/** The store alone, for the `team` CLI commands: no cache, revocations still announced to the replicas. */
export async function openRedisStore(
  url: string,
  prefix: string | undefined,
): Promise<{ store: RedisStore; close: () => Promise<void> }> {
  const connection = await RedisConnection.open({ url });
  const store = new RedisStore(connection, new RedisKeys(prefix?.trim() || DEFAULT_REDIS_PREFIX));
  return { store, close: () => connection.close() };
}

/** Connect to Redis (failing `serve` at once with one line when it cannot) and build the shared parts. */
export async function openRedisTeamBackend(options: RedisTeamOptions): Promise<RedisTeamBackend> {
  const keys = new RedisKeys(options.prefix);
  const say = options.say ?? (() => {});
  let lost = false;
  const connection = await RedisConnection.open({
    url: options.url,
    ca: options.ca,
    onStateChange: (ready, detail) => {
      // The first connection is the start-up line's business; only later changes are news.
      if (ready && !lost) return;
      lost = !ready;
      say(
        ready
          ? `Redis at ${connection.target} is reachable again; serving normally.`
          : `warning: lost Redis at ${connection.target} (${detail}); requests that need it get 503 until it is back (retrying every second).`,
      );
    },
  });
  const channels = new RedisChannels(connection);
  const store = new RedisStore(connection, keys, { channels });
  const events = new RedisTeamEvents(channels, keys);
  const tokens = new SharedTokens(connection, channels, keys, {
    onFallback: () => {},
  });
  const rateLimiter = options.userRpm ? new RedisRateLimiter(connection, keys, options.userRpm) : undefined;
  const concurrency = options.userConcurrency
    ? new RedisConcurrencyLimiter(connection, keys, options.userConcurrency, { leaseMs: options.leaseMs })
    : undefined;
  const admission =
    options.userRpm || concurrency
      ? new RedisUserAdmission(connection, keys, { perMinute: options.userRpm, concurrency })
      : undefined;
  // Subscriptions in place before the first request, so no revocation published from now on is missed.
  await channels.ready();
  const replica = randomUUID().slice(0, 8);
  const stops: (() => void)[] = [];
  return {
    replica,
    connection,
    channels,
    keys,
    store,
    events,
    tokens,
    rateLimiter,
    concurrency,
    admission,
    notReadyReason: () => (connection.ready ? undefined : "store_unavailable"),
    copilotToken: (login, box) => {
      const shared = new SharedCopilotToken({ tokens, box, owner: { login } });
      return { get: shared.get, invalidate: shared.invalidate };
    },
    appTokens: (installationId, box) => {
      const copilot = new SharedCopilotToken({ tokens, box, owner: { installationId } });
      return {
        installation: new SharedInstallationToken({ tokens, box, installationId }),
        copilot: { get: copilot.get, invalidate: copilot.invalidate },
      };
    },
    shareRequestLog(log) {
      const bus = new LiveLogBus(channels, keys, replica, requestLogEntrySchema);
      stops.push(
        // Entries from other replicas carry their name; only this replica's own are published.
        log.subscribe((entry) => {
          if (entry.replica === undefined) bus.publish({ ...entry, replica });
        }),
        bus.listen((entry, from) => log.add({ ...entry, id: log.nextId(), replica: entry.replica ?? from })),
        () => bus.flush(),
      );
    },
    async close() {
      for (const stop of stops) stop();
      concurrency?.stop();
      await events.close();
      await store.close();
      channels.close();
      await connection.close();
    },
  };
}
