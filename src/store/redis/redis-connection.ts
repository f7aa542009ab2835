import { Redis, type RedisOptions } from "ioredis";
import { EXIT_CODES, GatewayError, UsageError } from "../../errors.js";
import { StoreUnavailableError } from "./store-unavailable.js";

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  url: string;
  /** Extra CA certificates (PEM) for `rediss://` behind a private CA. */
  ca?: string | Buffer | undefined;
  /** A command without an answer after this long fails (the request gets a 503, never a hang). */
  commandTimeoutMs?: number | undefined;
  /** A connection attempt gives up after this long, then is retried. */
  connectTimeoutMs?: number | undefined;
  /** Longest wait between reconnection attempts. */
  maxReconnectDelayMs?: number | undefined;
  /** Told when the connection comes and goes (for the log and `/readyz`). */
  onStateChange?: ((ready: boolean, detail: string) => void) | undefined;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 750;
const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 1_000;

/** `redis://user:secret@host:6379/0` → `redis://host:6379`: what messages and logs may show. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "the Redis URL";
  }
}

export function validateRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `Invalid --redis URL: use redis://[user:password@]host:port[/db] or rediss://… for TLS.`,
      "invalid_redis_url",
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new UsageError(
      `Invalid --redis URL scheme "${parsed.protocol}": use redis:// or rediss:// (TLS).`,
      "invalid_redis_url",
    );
  return url;
}

/** Redis answers these while it cannot serve (loading its data, a replica in failover): the store is unavailable. */
const TRANSIENT_REPLIES = /^(LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|BUSY)\b/;

/** Turn what ioredis throws into our typed errors: connection trouble is a 503, a bad reply is a bug. */
export function toStoreError(error: unknown, target: string): Error {
  if (error instanceof GatewayError) return error;
  const e = error as { name?: string; message?: string };
  const message = String(e?.message ?? error);
  if (e?.name === "ReplyError") {
    if (TRANSIENT_REPLIES.test(message))
      return new StoreUnavailableError(`${target} answered ${message.split(" ")[0]}`, error);
    if (/^(WRONGPASS|NOAUTH|NOPERM)\b/.test(message))
      return new GatewayError(
        "store_auth_failed",
        `Redis at ${target} refused the gateway's credentials (${message.split(" ")[0]}); check the password in the Redis URL.`,
        { status: 503, exitCode: EXIT_CODES.usage, cause: error },
      );
    return new GatewayError("store_failed", `Redis at ${target} refused a command: ${message}`, {
      status: 500,
      cause: error,
    });
  }
  if (/timed out/i.test(message)) return new StoreUnavailableError(`${target} did not answer in time`, error);
  return new StoreUnavailableError(`${target} is not reachable`, error);
}

/**
 * One replica's link to Redis: a command connection that fails fast (no offline queue, a short command timeout,
 * no retries of a command) and reconnects forever in the background, so a Redis outage costs each request at
 * most the command timeout and the replica recovers by itself once Redis is back. Pub/sub needs its own
 * connection; `duplicate()` makes one with the same settings.
 */
export class RedisConnection {
  readonly client: Redis;
  readonly target: string;
  readonly #options: RedisConnectionOptions;
  #ready = false;

  private constructor(options: RedisConnectionOptions, client: Redis) {
    this.#options = options;
    this.target = describeRedisUrl(options.url);
    this.client = client;
    client.on("ready", () => this.#setReady(true, "connected"));
    client.on("close", () => this.#setReady(false, "connection closed"));
    // Without a listener ioredis would print every failed reconnection; the state change says it once.
    client.on("error", () => {});
  }

  /** Connect, waiting for the first answer so a wrong URL or password fails `serve` at start with one line. */
  static async open(options: RedisConnectionOptions): Promise<RedisConnection> {
    validateRedisUrl(options.url);
    const connection = new RedisConnection(
      options,
      new Redis(options.url, clientOptions(options, "commands")),
    );
    // A refused password arrives as an 'error' event, the connect() itself only says the connection closed.
    let refusal: unknown;
    const onError = (error: unknown) => {
      if ((error as Error)?.name === "ReplyError") refusal = error;
    };
    connection.client.on("error", onError);
    try {
      await connection.client.connect();
      await connection.client.ping();
    } catch (error) {
      connection.client.disconnect();
      const mapped = toStoreError(refusal ?? error, connection.target);
      if (mapped instanceof StoreUnavailableError)
        throw new GatewayError(
          "store_unreachable",
          `Cannot reach Redis at ${connection.target} (${(error as Error).message}); start Redis or fix --redis / REDIS_URL.`,
          { exitCode: EXIT_CODES.network, status: 503, cause: error },
        );
      throw mapped;
    } finally {
      connection.client.off("error", onError);
    }
    return connection;
  }

  /** A second connection with the same settings, for pub/sub (which occupies a connection while subscribed). */
  duplicateForSubscriptions(): Redis {
    const sub = new Redis(this.#options.url, clientOptions(this.#options, "subscriber"));
    sub.on("error", () => {});
    return sub;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Run commands; any failure comes out as a typed error (StoreUnavailableError → 503). */
  async run<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await work(this.client);
    } catch (error) {
      throw toStoreError(error, this.target);
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  #setReady(ready: boolean, detail: string): void {
    if (ready === this.#ready) return;
    this.#ready = ready;
    this.#options.onStateChange?.(ready, detail);
  }
}

function clientOptions(options: RedisConnectionOptions, role: "commands" | "subscriber"): RedisOptions {
  const maxDelay = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  const tls = options.url.startsWith("rediss:") ? { tls: { ...(options.ca && { ca: options.ca }) } } : {};
  return {
    ...tls,
    lazyConnect: role === "commands",
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // Reconnect forever, quickly: recovery after an outage needs no restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay),
    connectionName: `copilot-gateway-${role}`,
    ...(role === "commands"
      ? {
          // Fail fast: a command sent while disconnected fails at once, one in flight when the link drops is not
          // retried, and one left unanswered fails after the timeout.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
          autoResendUnfulfilledCommands: false,
        }
      : {
          // The subscriber queues its SUBSCRIBE until connected and subscribes again after every reconnect.
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          autoResubscribe: true,
        }),
  };
}
