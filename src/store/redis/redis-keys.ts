import { UsageError } from "../../errors.js";

/** GitHub logins are letters, digits and single hyphens; anything else must never reach a key name. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** A prefix is a plain namespace: no spaces, no braces (a brace would become the Cluster hash tag). */
const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isGitHubLogin(login: string): boolean {
  return LOGIN.test(login);
}

export const DEFAULT_REDIS_PREFIX = "cgw";

export function validateRedisPrefix(prefix: string): string {
  if (!PREFIX.test(prefix))
    throw new UsageError(
      `Invalid --redis-prefix "${prefix}": use 1 to 64 letters, digits, "_", ".", ":" or "-" (no braces or spaces).`,
      "invalid_redis_prefix",
    );
  return prefix;
}

/**
 * Every key and channel name the gateway uses, in one place. A person's data all carry the same hash tag,
 * `PREFIX:{login}:…`, so on Redis Cluster one person's keys live in one slot and every multi-key script touches
 * a single slot. Keys not owned by one person (the key-hash index, pending sign-ins, the global audit stream) are
 * each used alone, one key per command, which Cluster also allows.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_REDIS_PREFIX) {
    this.prefix = validateRedisPrefix(prefix);
  }

  /** The hash tag of a person: logins are case-insensitive on GitHub, so the tag is lower-cased. */
  static tagOf(login: string): string {
    if (!LOGIN.test(login)) throw new TypeError(`Not a GitHub login: ${JSON.stringify(login)}`);
    return `{${login.toLowerCase()}}`;
  }

  /** A key owned by one person, e.g. `cgw:{octocat}:rate`. */
  person(login: string, name: string): string {
    return this.scoped(RedisKeys.tagOf(login), name);
  }

  /** A key under a hash tag made by `tagOf` (a person) or `appTag` (a GitHub App installation). */
  scoped(tag: string, name: string): string {
    return `${this.prefix}:${tag}:${name}`;
  }

  /** The hash tag of a GitHub App installation (`--billing org`): its token is shared like a person's. */
  static appTag(installationId: string | number): string {
    const id = String(installationId);
    if (!/^[0-9]{1,20}$/.test(id)) throw new TypeError(`Not an installation id: ${JSON.stringify(id)}`);
    return `{app-${id}}`;
  }

  /** A key owned by nobody in particular (always used alone in a command). */
  global(name: string): string {
    return `${this.prefix}:${name}`;
  }

  /** A pub/sub channel. Channels are not keys and are broadcast to every node, so they carry no tag. */
  channel(name: string): string {
    return `${this.prefix}:channel:${name}`;
  }
}
