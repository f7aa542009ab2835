import type { z } from "zod";
import {
  type ApiKeyRecord,
  type AuditEntry,
  type AuditInput,
  apiKeyRecordSchema,
  auditEntrySchema,
  type PageSession,
  type PendingSignIn,
  pageSessionSchema,
  pendingSignInSchema,
  type SealedGitHubToken,
  sealedGitHubTokenSchema,
  type TeamUser,
  teamUserSchema,
  type UsageEvent,
  type UsageRow,
  usageRowSchema,
} from "../records.js";
import type { AuditQuery, CompleteSignInInput, KeyOwner, Store, UsageQuery } from "../store.js";
import { StoreError } from "../store-error.js";
import { KeyLookupCache, type KeyLookupCacheOptions } from "./key-lookup-cache.js";
import type { RedisChannels } from "./redis-channels.js";
import type { RedisConnection } from "./redis-connection.js";
import { isGitHubLogin, type RedisKeys } from "./redis-keys.js";
import type { RedisScript } from "./redis-script.js";
import { type Revocation, RevocationBus } from "./revocation-bus.js";
import {
  ADD_KEY,
  APPEND_AUDIT,
  CLAIM_KEY,
  CLAIM_POLL,
  COMPLETE_SIGN_IN_ALL,
  CREATE_SIGN_IN,
  DISABLE_PERSON,
  ENABLE_PERSON,
  END_SIGN_IN,
  RECORD_USAGE,
  REVOKE_KEY,
  SET_IF_EXISTS,
  SET_INTERVAL,
} from "./store-scripts.js";

const MAX_AUDIT = 1000;
const AUDIT_SCAN = 500;

type Hash = Record<string, string>;

export interface RedisStoreOptions {
  /**
   * A gateway replica passes its pub/sub channels: key lookups are then cached in the replica (no Redis round trip
   * on the hot path for a key seen recently) and dropped on every replica when a key or person is revoked.
   * Without it (the CLI), nothing is cached; revocations are still announced to the running replicas.
   */
  channels?: RedisChannels | undefined;
  cache?: KeyLookupCacheOptions | undefined;
}

const num = (v: string | undefined) => (v === undefined || v === "" ? undefined : Number(v));

/**
 * The team store on Redis, for many replicas. Everything about one person lives under their hash tag
 * (`P:{login}:user`, `:token`, `:key:ID`, `:keyids`, `:sessions`, `:usage`) and changes in one script, so it is
 * atomic and stays in one Cluster slot. The few global lookups each live under a tag of their own — `{keys}` (key
 * hash → owner, key id → owner), `{signins}`, `{sessions}`, `{users}`, `{audit}`. Completing a sign-in spans them
 * and the person in one script (all or nothing, on one Redis endpoint); a new key for a known person claims the
 * unique index first and releases it again if the person's script refuses, so a failure never leaves a key that
 * works for nobody or two people.
 * Records are hashes of plain fields (no JSON decoding in Lua), validated with the shared schemas when read.
 */
export class RedisStore implements Store {
  readonly description: string;
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #revocations: RevocationBus;
  readonly #cache: KeyLookupCache<KeyOwner & { login: string }> | undefined;
  readonly #stopListening: () => void;

  constructor(redis: RedisConnection, keys: RedisKeys, options: RedisStoreOptions = {}) {
    this.#redis = redis;
    this.#keys = keys;
    this.description = `Redis ${redis.target} (prefix ${keys.prefix})`;
    this.#revocations = new RevocationBus(redis, keys);
    if (options.channels) {
      const cache = new KeyLookupCache<KeyOwner & { login: string }>(options.cache);
      this.#cache = cache;
      this.#stopListening = this.#revocations.listen(
        options.channels,
        (r) => this.#drop(r),
        () => cache.clear(),
      );
    } else this.#stopListening = () => {};
  }

  /** A revocation stored here: drop it from this replica's cache now, and tell the others. */
  async #revoked(revocation: Revocation): Promise<void> {
    this.#drop(revocation);
    await this.#revocations.publish(revocation);
  }

  #drop(revocation: Revocation): void {
    if ("keyHash" in revocation) this.#cache?.dropKey(revocation.keyHash);
    else this.#cache?.dropLogin(revocation.login);
  }

  // ── key names ──────────────────────────────────────────────────────────────────────────────────────────────
  #p(login: string, name: string): string {
    return this.#keys.person(login, name);
  }
  #g(tag: string, name: string): string {
    return this.#keys.scoped(`{${tag}}`, name);
  }

  #script(script: RedisScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.#redis.run((r) => script.run(r, keys, args));
  }

  // ── people ─────────────────────────────────────────────────────────────────────────────────────────────────
  async getUser(login: string): Promise<TeamUser | undefined> {
    if (!isGitHubLogin(login)) return undefined;
    return toUser(await this.#redis.run((r) => r.hgetall(this.#p(login, "user"))));
  }

  async listUsers(): Promise<TeamUser[]> {
    const logins = await this.#redis.run((r) => r.hkeys(this.#g("users", "all")));
    const rows = await this.#hashes(logins.map((l) => this.#p(l, "user")));
    return rows
      .flatMap((row) => toUser(row) ?? [])
      .sort((a, b) => (a.login.toLowerCase() < b.login.toLowerCase() ? -1 : 1));
  }

  async setUserOrgs(login: string, orgs: string[]): Promise<void> {
    if (!isGitHubLogin(login)) return;
    const changed = await this.#script(
      SET_IF_EXISTS,
      [this.#p(login, "user")],
      ["orgs", JSON.stringify(orgs)],
    );
    // Cached owners carry the organisations `--allow-org` checks: every replica reads them afresh.
    if (changed === 1) await this.#revoked({ login });
  }

  async disableUser(
    login: string,
    by: string,
    at: number,
    audit: AuditInput,
  ): Promise<ApiKeyRecord[] | undefined> {
    if (!isGitHubLogin(login)) return undefined;
    const ids = await this.#redis.run((r) => r.smembers(this.#p(login, "keyids")));
    const keyNames = ids.map((id) => this.#p(login, `key:${id}`));
    const answer = (await this.#script(
      DISABLE_PERSON,
      [this.#p(login, "user"), this.#p(login, "token"), this.#p(login, "sessions"), ...keyNames],
      [at, by],
    )) as [string[], string[]] | null;
    if (!answer) return undefined;
    const [revokedIds, sessionIds] = answer;
    if (sessionIds.length > 0)
      await this.#redis.run((r) => r.del(...sessionIds.map((id) => this.#g("sessions", id))));
    await this.#revoked({ login });
    await this.appendAudit(audit);
    const revoked = await this.#keyRecords(login, revokedIds);
    return revoked.sort(newestFirst);
  }

  async enableUser(login: string, audit: AuditInput): Promise<boolean> {
    if (!isGitHubLogin(login)) return false;
    const changed = await this.#script(ENABLE_PERSON, [this.#p(login, "user")], []);
    if (changed !== 1) return false;
    await this.#revoked({ login });
    await this.appendAudit(audit);
    return true;
  }

  // ── GitHub tokens ──────────────────────────────────────────────────────────────────────────────────────────
  async getGitHubToken(login: string): Promise<SealedGitHubToken | undefined> {
    if (!isGitHubLogin(login)) return undefined;
    const row = await this.#redis.run((r) => r.hgetall(this.#p(login, "token")));
    if (Object.keys(row).length === 0) return undefined;
    return parse(
      sealedGitHubTokenSchema,
      {
        login: row.login,
        sealed: row.sealed,
        host: row.host,
        ...(row.scopes !== undefined && { scopes: row.scopes }),
        updatedAt: num(row.updatedAt),
      },
      "GitHub token",
    );
  }

  async putGitHubToken(token: SealedGitHubToken): Promise<void> {
    const key = this.#p(token.login, "token");
    await this.#redis.run((r) => r.multi().del(key).hset(key, tokenFields(token)).exec());
  }

  // ── personal keys ──────────────────────────────────────────────────────────────────────────────────────────
  async createApiKey(key: ApiKeyRecord, audit: AuditInput): Promise<void> {
    if (!isGitHubLogin(key.login))
      throw new StoreError("store_unknown_user", `No person "${key.login}" has signed in to this gateway.`);
    await this.#claimKey(key);
    const added = await this.#script(
      ADD_KEY,
      [this.#p(key.login, "user"), this.#p(key.login, `key:${key.id}`), this.#p(key.login, "keyids")],
      [key.id, ...flatten(keyFields(key))],
    );
    if (added !== 1) {
      await this.#releaseKey(key);
      throw new StoreError("store_unknown_user", `No person "${key.login}" has signed in to this gateway.`);
    }
    await this.appendAudit(audit);
  }

  /** The hot path: answered from this replica's cache when the key was seen recently (no Redis round trip). */
  findApiKey(hash: string): Promise<KeyOwner | undefined> {
    if (!this.#cache) return this.#findApiKey(hash);
    return this.#cache
      .lookup(hash, async () => {
        const found = await this.#findApiKey(hash);
        return found && { ...found, login: found.user.login };
      })
      .then((found) => found && { key: found.key, user: found.user });
  }

  async #findApiKey(hash: string): Promise<KeyOwner | undefined> {
    const owner = await this.#redis.run((r) => r.get(this.#g("keys", `hash:${hash}`)));
    if (!owner) return undefined;
    const [login, id] = owner.split("\t");
    if (!login || !id || !isGitHubLogin(login)) return undefined;
    const [keyRow, userRow] = await this.#hashes([this.#p(login, `key:${id}`), this.#p(login, "user")]);
    const key = toKey(keyRow);
    const user = toUser(userRow);
    return key && user ? { key, user } : undefined;
  }

  async listApiKeys(login?: string): Promise<ApiKeyRecord[]> {
    const logins =
      login === undefined
        ? await this.#redis.run((r) => r.hkeys(this.#g("users", "all")))
        : isGitHubLogin(login)
          ? [login]
          : [];
    const all: ApiKeyRecord[] = [];
    for (const person of logins) {
      const ids = await this.#redis.run((r) => r.smembers(this.#p(person, "keyids")));
      all.push(...(await this.#keyRecords(person, ids)));
    }
    return all.sort(newestFirst);
  }

  async revokeApiKey(
    id: string,
    by: string,
    at: number,
    audit: AuditInput,
  ): Promise<ApiKeyRecord | undefined> {
    const login = await this.#redis.run((r) => r.get(this.#g("keys", `id:${id}`)));
    if (!login || !isGitHubLogin(login)) return undefined;
    const changed = await this.#script(REVOKE_KEY, [this.#p(login, `key:${id}`)], [at, by]);
    const [record] = await this.#keyRecords(login, [id]);
    if (!record) return undefined;
    if (changed === 1) {
      await this.#revoked({ keyHash: record.hash });
      await this.appendAudit(audit);
    }
    return record;
  }

  /** Claim the key's hash and id in the global index (a collision refuses the whole step). */
  async #claimKey(key: ApiKeyRecord): Promise<void> {
    const claimed = await this.#script(
      CLAIM_KEY,
      [this.#g("keys", `hash:${key.hash}`), this.#g("keys", `id:${key.id}`)],
      [`${key.login.toLowerCase()}\t${key.id}`, key.login.toLowerCase()],
    );
    if (claimed !== 1) throw new StoreError("store_key_exists", "A key with this id or hash already exists.");
  }

  async #releaseKey(key: ApiKeyRecord): Promise<void> {
    await this.#redis.run((r) => r.del(this.#g("keys", `hash:${key.hash}`), this.#g("keys", `id:${key.id}`)));
  }

  async #keyRecords(login: string, ids: string[]): Promise<ApiKeyRecord[]> {
    const rows = await this.#hashes(ids.map((id) => this.#p(login, `key:${id}`)));
    return rows.flatMap((row) => toKey(row) ?? []);
  }

  // ── sign-ins ───────────────────────────────────────────────────────────────────────────────────────────────
  async createSignIn(signIn: PendingSignIn): Promise<void> {
    const fields = signInFields(signIn);
    const created = await this.#script(
      CREATE_SIGN_IN,
      [this.#g("signins", `s:${signIn.id}`), this.#g("signins", "index")],
      [signIn.id, signIn.createdAt, ...flatten(fields)],
    );
    if (created !== 1) throw new StoreError("store_sign_in_exists", "A sign-in with this id already exists.");
  }

  async getSignIn(id: string): Promise<PendingSignIn | undefined> {
    const row = await this.#redis.run((r) => r.hgetall(this.#g("signins", `s:${id}`)));
    return toSignIn(row);
  }

  async claimSignInPoll(id: string, now: number, nextPollAt: number): Promise<boolean> {
    return (await this.#script(CLAIM_POLL, [this.#g("signins", `s:${id}`)], [now, nextPollAt])) === 1;
  }

  async setSignInInterval(id: string, intervalSeconds: number, nextPollAt: number): Promise<void> {
    await this.#script(SET_INTERVAL, [this.#g("signins", `s:${id}`)], [intervalSeconds, nextPollAt]);
  }

  async endSignIn(
    id: string,
    outcome: Pick<PendingSignIn, "status" | "login" | "message">,
    audit?: AuditInput,
  ): Promise<void> {
    const changed = await this.#script(
      END_SIGN_IN,
      [this.#g("signins", `s:${id}`)],
      [outcome.status, outcome.login ?? "", outcome.message ?? ""],
    );
    if (changed === 1 && audit) await this.appendAudit(audit);
  }

  async completeSignIn(input: CompleteSignInInput): Promise<TeamUser> {
    const { user, key, token, session } = input;
    if (!isGitHubLogin(user.login))
      throw new StoreError("store_bad_login", `"${user.login}" is not a GitHub login.`);
    // One script: the key's index entries, the sign-in (pending → complete), the person, their page session and
    // the audit entries are written together or not at all.
    const done = await this.#script(
      COMPLETE_SIGN_IN_ALL,
      [
        this.#g("keys", `hash:${key.hash}`),
        this.#g("keys", `id:${key.id}`),
        this.#g("signins", `s:${input.signInId}`),
        this.#p(user.login, "user"),
        this.#p(user.login, "token"),
        this.#p(user.login, `key:${key.id}`),
        this.#p(user.login, "keyids"),
        this.#p(user.login, "sessions"),
        this.#g("users", "all"),
        this.#g("sessions", session?.id ?? "-"),
        this.#g("audit", "seq"),
        this.#g("audit", "log"),
      ],
      [
        `${key.login.toLowerCase()}\t${key.id}`,
        key.login.toLowerCase(),
        user.login,
        key.id,
        session?.id ?? "",
        String(user.createdAt),
        JSON.stringify(userFields(user)),
        JSON.stringify(tokenFields(token)),
        JSON.stringify(keyFields(key)),
        session ? JSON.stringify(session) : "",
        ...input.audit.map((entry) => JSON.stringify(entry)),
      ],
    );
    if (done === -1) throw new StoreError("store_key_exists", "A key with this id or hash already exists.");
    if (done !== 1)
      throw new StoreError(
        "sign_in_not_pending",
        "This sign-in already finished or expired; start a new one.",
      );
    const stored = await this.getUser(user.login);
    if (!stored)
      throw new StoreError("store_failed", `The sign-in of ${user.login} was not stored; sign in again.`);
    return stored;
  }

  async deleteSignInsBefore(before: number): Promise<number> {
    const ids = await this.#redis.run((r) =>
      r.zrangebyscore(this.#g("signins", "index"), "-inf", `(${before}`),
    );
    if (ids.length === 0) return 0;
    await this.#redis.run((r) =>
      r
        .multi()
        .del(...ids.map((id) => this.#g("signins", `s:${id}`)))
        .zrem(this.#g("signins", "index"), ...ids)
        .exec(),
    );
    return ids.length;
  }

  // ── page sessions ──────────────────────────────────────────────────────────────────────────────────────────
  createPageSession(session: PageSession): Promise<void> {
    return this.#putSession(session, true);
  }

  async #putSession(session: PageSession, index: boolean): Promise<void> {
    await this.#redis.run((r) => r.set(this.#g("sessions", session.id), JSON.stringify(session)));
    if (index && isGitHubLogin(session.login))
      await this.#redis.run((r) => r.sadd(this.#p(session.login, "sessions"), session.id));
  }

  async getPageSession(id: string): Promise<PageSession | undefined> {
    const raw = await this.#redis.run((r) => r.get(this.#g("sessions", id)));
    if (raw === null) return undefined;
    return parse(pageSessionSchema, parseJson(raw), "page session");
  }

  async deletePageSession(id: string): Promise<void> {
    const session = await this.getPageSession(id);
    await this.#redis.run((r) => r.del(this.#g("sessions", id)));
    if (session && isGitHubLogin(session.login))
      await this.#redis.run((r) => r.srem(this.#p(session.login, "sessions"), id));
  }

  // ── usage ──────────────────────────────────────────────────────────────────────────────────────────────────
  async recordUsage(event: UsageEvent): Promise<void> {
    if (!isGitHubLogin(event.login)) return;
    const keyName =
      event.keyId === undefined ? this.#p(event.login, "none") : this.#p(event.login, `key:${event.keyId}`);
    await this.#script(
      RECORD_USAGE,
      [this.#p(event.login, "usage"), this.#p(event.login, "user"), keyName],
      [
        `${event.day}\t${event.model}\t`,
        event.requests,
        event.inputTokens,
        event.outputTokens,
        event.cachedTokens,
        event.at,
        event.login,
      ],
    );
  }

  async usage(query: UsageQuery): Promise<UsageRow[]> {
    const logins =
      query.login === undefined
        ? await this.#redis.run((r) => r.hkeys(this.#g("users", "all")))
        : isGitHubLogin(query.login)
          ? [query.login]
          : [];
    const hashes = await this.#hashes(logins.map((l) => this.#p(l, "usage")));
    const rows: UsageRow[] = [];
    for (const hash of hashes) {
      const login = hash.login;
      if (!login) continue;
      const byRow = new Map<string, Partial<Record<"r" | "i" | "o" | "c", number>>>();
      for (const [field, value] of Object.entries(hash)) {
        const parts = field.split("\t");
        if (parts.length !== 3) continue;
        const [day, model, what] = parts as [string, string, "r" | "i" | "o" | "c"];
        if (day < query.fromDay || day > query.toDay) continue;
        const id = `${day}\t${model}`;
        byRow.set(id, { ...byRow.get(id), [what]: Number(value) });
      }
      for (const [id, c] of byRow) {
        const [day, model] = id.split("\t") as [string, string];
        rows.push(
          parse(
            usageRowSchema,
            {
              login,
              model,
              day,
              requests: c.r ?? 0,
              inputTokens: c.i ?? 0,
              outputTokens: c.o ?? 0,
              cachedTokens: c.c ?? 0,
            },
            "usage",
          ),
        );
      }
    }
    const order = (r: UsageRow) => `${r.day}\t${r.login.toLowerCase()}\t${r.model}`;
    return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  // ── audit ──────────────────────────────────────────────────────────────────────────────────────────────────
  async appendAudit(entry: AuditInput): Promise<void> {
    await this.#script(
      APPEND_AUDIT,
      [this.#g("audit", "seq"), this.#g("audit", "log")],
      [JSON.stringify(entry)],
    );
  }

  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = Math.max(0, Math.min(MAX_AUDIT, Math.floor(query.limit)));
    if (limit === 0) return [];
    const log = this.#g("audit", "log");
    if (query.login === undefined) {
      const raw = await this.#redis.run((r) => r.lrange(log, 0, limit - 1));
      return raw.map(toAudit);
    }
    const wanted = query.login.toLowerCase();
    const found: AuditEntry[] = [];
    for (let start = 0; found.length < limit; start += AUDIT_SCAN) {
      const raw = await this.#redis.run((r) => r.lrange(log, start, start + AUDIT_SCAN - 1));
      for (const entry of raw.map(toAudit))
        if (entry.actor.toLowerCase() === wanted || entry.subject?.toLowerCase() === wanted)
          found.push(entry);
      if (raw.length < AUDIT_SCAN) break;
    }
    return found.slice(0, limit);
  }

  async close(): Promise<void> {
    // The connection is shared with the rest of the replica and closed by its owner.
    this.#stopListening();
  }

  /** Several hashes in one round trip (a pipeline). */
  async #hashes(keys: string[]): Promise<Hash[]> {
    if (keys.length === 0) return [];
    const results = await this.#redis.run(async (r) => {
      const pipeline = r.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      return (await pipeline.exec()) ?? [];
    });
    return results.map(([error, value]) => {
      if (error) throw error;
      return (value ?? {}) as Hash;
    });
  }
}

// ── records ↔ hash fields ────────────────────────────────────────────────────────────────────────────────────

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new StoreError(
      "store_corrupt",
      `A ${what} record in Redis does not have the expected shape.`,
      parsed.error,
    );
  return parsed.data;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function flatten(fields: Record<string, string>): string[] {
  return Object.entries(fields).flat();
}

function userFields(user: CompleteSignInInput["user"]): Record<string, string> {
  return {
    login: user.login,
    githubId: String(user.githubId),
    orgs: JSON.stringify(user.orgs),
    lastSignInAt: String(user.lastSignInAt),
    ...(user.name !== undefined && { name: user.name }),
  };
}

function toUser(row: Hash | undefined): TeamUser | undefined {
  if (!row || row.login === undefined) return undefined;
  return parse(
    teamUserSchema,
    {
      login: row.login,
      githubId: num(row.githubId),
      ...(row.name !== undefined && { name: row.name }),
      orgs: parseJson(row.orgs ?? "[]"),
      createdAt: num(row.createdAt),
      lastSignInAt: num(row.lastSignInAt),
      ...(row.lastUsedAt !== undefined && { lastUsedAt: num(row.lastUsedAt) }),
      ...(row.disabledAt !== undefined && { disabledAt: num(row.disabledAt) }),
      ...(row.disabledBy !== undefined && { disabledBy: row.disabledBy }),
    },
    "person",
  );
}

function tokenFields(token: SealedGitHubToken): Record<string, string> {
  return {
    login: token.login,
    sealed: token.sealed,
    host: token.host,
    updatedAt: String(token.updatedAt),
    ...(token.scopes !== undefined && { scopes: token.scopes }),
  };
}

function keyFields(key: ApiKeyRecord): Record<string, string> {
  return {
    id: key.id,
    login: key.login,
    name: key.name,
    hash: key.hash,
    hint: key.hint,
    createdAt: String(key.createdAt),
  };
}

function toKey(row: Hash | undefined): ApiKeyRecord | undefined {
  if (!row || row.id === undefined) return undefined;
  return parse(
    apiKeyRecordSchema,
    {
      id: row.id,
      login: row.login,
      name: row.name,
      hash: row.hash,
      hint: row.hint,
      createdAt: num(row.createdAt),
      ...(row.lastUsedAt !== undefined && { lastUsedAt: num(row.lastUsedAt) }),
      ...(row.revokedAt !== undefined && { revokedAt: num(row.revokedAt) }),
      ...(row.revokedBy !== undefined && { revokedBy: row.revokedBy }),
    },
    "key",
  );
}

function newestFirst(a: ApiKeyRecord, b: ApiKeyRecord): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function signInFields(s: PendingSignIn): Record<string, string> {
  const { status, login, message, nextPollAt, intervalSeconds, ...fixed } = s;
  return {
    fixed: JSON.stringify(fixed),
    status,
    nextPollAt: String(nextPollAt),
    intervalSeconds: String(intervalSeconds),
    ...(login !== undefined && { login }),
    ...(message !== undefined && { message }),
  };
}

function toSignIn(row: Hash): PendingSignIn | undefined {
  if (row.fixed === undefined) return undefined;
  const fixed = parseJson(row.fixed);
  return parse(
    pendingSignInSchema,
    {
      ...(typeof fixed === "object" && fixed),
      status: row.status,
      nextPollAt: num(row.nextPollAt),
      intervalSeconds: num(row.intervalSeconds),
      ...(row.login !== undefined && row.login !== "" && { login: row.login }),
      ...(row.message !== undefined && row.message !== "" && { message: row.message }),
    },
    "sign-in",
  );
}

function toAudit(raw: string): AuditEntry {
  return parse(auditEntrySchema, parseJson(raw), "audit");
}
