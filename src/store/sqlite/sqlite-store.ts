import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
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
import { MIGRATIONS, type Migration } from "./migrations.js";

type Row = Record<string, unknown>;

const POSIX = process.platform !== "win32";
const MAX_AUDIT = 1000;

function loginKey(login: string): string {
  return login.toLowerCase();
}

/** SQLite NULL becomes "absent", so the zod schemas' optional fields apply. */
function defined<T extends Row>(row: T): T {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (v !== null) out[k] = v;
  return out as T;
}

function parseRow<S extends z.ZodType>(schema: S, row: Row, what: string): z.infer<S> {
  const parsed = schema.safeParse(defined(row));
  if (!parsed.success) {
    throw new StoreError(
      "store_row_invalid",
      `The team store holds a damaged ${what} record; restore the store file from a backup or remove it (people then sign in again).`,
      parsed.error,
    );
  }
  return parsed.data;
}

function toUser(row: Row): TeamUser {
  return parseRow(
    teamUserSchema,
    {
      login: row.login,
      githubId: row.github_id,
      name: row.name,
      orgs: JSON.parse(String(row.orgs)),
      createdAt: row.created_at,
      lastSignInAt: row.last_sign_in_at,
      lastUsedAt: row.last_used_at,
      disabledAt: row.disabled_at,
      disabledBy: row.disabled_by,
    },
    "user",
  );
}

function toKey(row: Row): ApiKeyRecord {
  return parseRow(
    apiKeyRecordSchema,
    {
      id: row.id,
      login: row.login,
      name: row.name,
      hash: row.hash,
      hint: row.hint,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
      revokedBy: row.revoked_by,
    },
    "API key",
  );
}

function toSignIn(row: Row): PendingSignIn {
  return parseRow(
    pendingSignInSchema,
    {
      id: row.id,
      via: row.via,
      keyName: row.key_name,
      sealedDeviceCode: row.sealed_device_code,
      userCode: row.user_code,
      verificationUri: row.verification_uri,
      intervalSeconds: row.interval_seconds,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      nextPollAt: row.next_poll_at,
      status: row.status,
      login: row.login,
      message: row.message,
      clientAddress: row.client_address,
    },
    "sign-in",
  );
}

function toAudit(row: Row): AuditEntry {
  return parseRow(auditEntrySchema, { ...row, id: String(row.id) }, "audit");
}

/**
 * The embedded store: one SQLite file (WAL, so the CLI can read and revoke while the gateway runs) opened through
 * better-sqlite3. Its calls are synchronous and take microseconds; they are wrapped in promises for the interface.
 */
export class SqliteStore implements Store {
  readonly description: string;
  readonly #db: Database.Database;
  /**
   * Every statement is prepared once and kept while the file is open. Besides saving the parse, this keeps
   * better-sqlite3 12's Statement objects out of the garbage collector: on Node 24.19+ (nodejs/node#65446) a
   * Statement finalised by a GC that runs outside JavaScript aborts the whole process.
   */
  readonly #statements = new Map<string, Database.Statement>();

  private constructor(path: string, db: Database.Database) {
    this.description = `SQLite ${path}`;
    this.#db = db;
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Open (creating when missing, 0600 in a 0700 directory) and migrate to the newest schema. */
  static open(path: string, migrations: readonly Migration[] = MIGRATIONS): SqliteStore {
    let db: Database.Database;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create the file ourselves so it is 0600 from the start; SQLite gives its -wal/-shm files the same mode.
      closeSync(openSync(path, "a", 0o600));
      if (POSIX) chmodSync(path, 0o600);
      db = new Database(path);
      db.pragma("journal_mode = WAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      db.pragma("synchronous = NORMAL");
    } catch (error) {
      throw new StoreError(
        "store_open_failed",
        `Cannot open the team store ${path} (${(error as Error).message}); check that the state directory is writable.`,
        error,
      );
    }
    const store = new SqliteStore(path, db);
    store.#migrate(path, migrations);
    return store;
  }

  /** The newest schema version applied to this file. */
  get schemaVersion(): number {
    const row = this.#prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as Row;
    return Number(row.v ?? 0);
  }

  #migrate(path: string, migrations: readonly Migration[]): void {
    this.#db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
    );
    const current = this.schemaVersion;
    const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > newest) {
      this.#db.close();
      throw new StoreError(
        "store_too_new",
        `The team store ${path} was written by a newer copilot-gateway (schema ${current}, this one knows ${newest}); upgrade copilot-gateway.`,
      );
    }
    const record = this.#prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    let applied = current;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      try {
        this.#db.transaction(() => {
          this.#db.exec(migration.sql);
          record.run(migration.version, migration.name, Date.now());
        })();
        applied = migration.version;
      } catch (error) {
        this.#db.close();
        throw new StoreError(
          "store_migration_failed",
          `Cannot upgrade the team store ${path} to schema ${migration.version} (${(error as Error).message}); it was left at schema ${applied}. Restore a backup or report this.`,
          error,
        );
      }
    }
  }

  /** Run `fn` in one transaction and turn driver failures into a StoreError. */
  #atomic<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.#db.transaction(fn)());
    } catch (error) {
      return Promise.reject(this.#wrap(error));
    }
  }

  #read<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(this.#wrap(error));
    }
  }

  #wrap(error: unknown): unknown {
    if (error instanceof StoreError) return error;
    return new StoreError(
      "store_failed",
      `The team store failed (${(error as Error).message}); check the disk and the file ${this.description.slice(7)}.`,
      error,
    );
  }

  #audit(entry: AuditInput): void {
    this.#prepare(
      "INSERT INTO audit_log (at, actor, action, subject, detail, address) VALUES (@at, @actor, @action, @subject, @detail, @address)",
    ).run({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: entry.detail ?? null,
      address: entry.address ?? null,
    });
  }

  #user(login: string): TeamUser | undefined {
    const row = this.#prepare("SELECT * FROM users WHERE login_key = ?").get(loginKey(login)) as
      | Row
      | undefined;
    return row ? toUser(row) : undefined;
  }

  getUser(login: string): Promise<TeamUser | undefined> {
    return this.#read(() => this.#user(login));
  }

  listUsers(): Promise<TeamUser[]> {
    return this.#read(() =>
      (this.#prepare("SELECT * FROM users ORDER BY login_key").all() as Row[]).map(toUser),
    );
  }

  setUserOrgs(login: string, orgs: string[]): Promise<void> {
    return this.#atomic(() => {
      this.#prepare("UPDATE users SET orgs = ? WHERE login_key = ?").run(
        JSON.stringify(orgs),
        loginKey(login),
      );
    });
  }

  disableUser(login: string, by: string, at: number, audit: AuditInput): Promise<ApiKeyRecord[] | undefined> {
    return this.#atomic(() => {
      const key = loginKey(login);
      const user = this.#user(login);
      if (!user) return undefined;
      if (user.disabledAt === undefined) {
        this.#prepare("UPDATE users SET disabled_at = ?, disabled_by = ? WHERE login_key = ?").run(
          at,
          by,
          key,
        );
      }
      const revoked = (
        this.#prepare(
          "SELECT * FROM api_keys WHERE login_key = ? AND revoked_at IS NULL ORDER BY created_at DESC",
        ).all(key) as Row[]
      ).map(toKey);
      this.#prepare(
        "UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE login_key = ? AND revoked_at IS NULL",
      ).run(at, by, key);
      this.#prepare("DELETE FROM github_tokens WHERE login_key = ?").run(key);
      this.#prepare("DELETE FROM page_sessions WHERE login_key = ?").run(key);
      this.#audit(audit);
      return revoked.map((k) => ({ ...k, revokedAt: at, revokedBy: by }));
    });
  }

  enableUser(login: string, audit: AuditInput): Promise<boolean> {
    return this.#atomic(() => {
      const changed = this.#prepare(
        "UPDATE users SET disabled_at = NULL, disabled_by = NULL WHERE login_key = ?",
      ).run(loginKey(login)).changes;
      if (changed === 0) return false;
      this.#audit(audit);
      return true;
    });
  }

  getGitHubToken(login: string): Promise<SealedGitHubToken | undefined> {
    return this.#read(() => {
      const row = this.#prepare("SELECT * FROM github_tokens WHERE login_key = ?").get(loginKey(login)) as
        | Row
        | undefined;
      if (!row) return undefined;
      return parseRow(
        sealedGitHubTokenSchema,
        {
          login: row.login,
          sealed: row.sealed,
          host: row.host,
          scopes: row.scopes,
          updatedAt: row.updated_at,
        },
        "GitHub token",
      );
    });
  }

  putGitHubToken(token: SealedGitHubToken): Promise<void> {
    return this.#atomic(() => this.#putToken(token));
  }

  #putToken(token: SealedGitHubToken): void {
    this.#prepare(
      `INSERT INTO github_tokens (login_key, login, sealed, host, scopes, updated_at)
         VALUES (@key, @login, @sealed, @host, @scopes, @updatedAt)
         ON CONFLICT(login_key) DO UPDATE SET sealed = excluded.sealed, host = excluded.host,
           scopes = excluded.scopes, updated_at = excluded.updated_at`,
    ).run({
      key: loginKey(token.login),
      login: token.login,
      sealed: token.sealed,
      host: token.host,
      scopes: token.scopes ?? null,
      updatedAt: token.updatedAt,
    });
  }

  #insertKey(key: ApiKeyRecord): void {
    this.#prepare(
      `INSERT INTO api_keys (id, login_key, login, name, hash, hint, created_at, last_used_at, revoked_at, revoked_by)
         VALUES (@id, @loginKey, @login, @name, @hash, @hint, @createdAt, NULL, NULL, NULL)`,
    ).run({
      id: key.id,
      loginKey: loginKey(key.login),
      login: key.login,
      name: key.name,
      hash: key.hash,
      hint: key.hint,
      createdAt: key.createdAt,
    });
  }

  createApiKey(key: ApiKeyRecord, audit: AuditInput): Promise<void> {
    return this.#atomic(() => {
      if (!this.#user(key.login)) {
        throw new StoreError("store_unknown_user", `No person "${key.login}" has signed in to this gateway.`);
      }
      this.#insertKey(key);
      this.#audit(audit);
    });
  }

  findApiKey(hash: string): Promise<KeyOwner | undefined> {
    return this.#read(() => {
      const keyRow = this.#prepare("SELECT * FROM api_keys WHERE hash = ?").get(hash) as Row | undefined;
      if (!keyRow) return undefined;
      const userRow = this.#prepare("SELECT * FROM users WHERE login_key = ?").get(
        String(keyRow.login_key),
      ) as Row | undefined;
      if (!userRow) return undefined;
      return { key: toKey(keyRow), user: toUser(userRow) };
    });
  }

  listApiKeys(login?: string): Promise<ApiKeyRecord[]> {
    return this.#read(() => {
      const rows =
        login === undefined
          ? this.#prepare("SELECT * FROM api_keys ORDER BY created_at DESC, id").all()
          : this.#prepare("SELECT * FROM api_keys WHERE login_key = ? ORDER BY created_at DESC, id").all(
              loginKey(login),
            );
      return (rows as Row[]).map(toKey);
    });
  }

  revokeApiKey(id: string, by: string, at: number, audit: AuditInput): Promise<ApiKeyRecord | undefined> {
    return this.#atomic(() => {
      const changed = this.#prepare(
        "UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
      ).run(at, by, id).changes;
      const row = this.#prepare("SELECT * FROM api_keys WHERE id = ?").get(id) as Row | undefined;
      if (!row) return undefined;
      if (changed > 0) this.#audit(audit);
      return toKey(row);
    });
  }

  createSignIn(signIn: PendingSignIn): Promise<void> {
    return this.#atomic(() => {
      this.#prepare(
        `INSERT INTO sign_ins (id, via, key_name, sealed_device_code, user_code, verification_uri, interval_seconds,
             created_at, expires_at, next_poll_at, status, login, message, client_address)
           VALUES (@id, @via, @keyName, @sealedDeviceCode, @userCode, @verificationUri, @intervalSeconds,
             @createdAt, @expiresAt, @nextPollAt, @status, @login, @message, @clientAddress)`,
      ).run({
        ...signIn,
        login: signIn.login ?? null,
        message: signIn.message ?? null,
        clientAddress: signIn.clientAddress ?? null,
      });
    });
  }

  getSignIn(id: string): Promise<PendingSignIn | undefined> {
    return this.#read(() => {
      const row = this.#prepare("SELECT * FROM sign_ins WHERE id = ?").get(id) as Row | undefined;
      return row ? toSignIn(row) : undefined;
    });
  }

  claimSignInPoll(id: string, now: number, nextPollAt: number): Promise<boolean> {
    return this.#atomic(
      () =>
        this.#prepare(
          "UPDATE sign_ins SET next_poll_at = ? WHERE id = ? AND status = 'pending' AND next_poll_at <= ?",
        ).run(nextPollAt, id, now).changes === 1,
    );
  }

  setSignInInterval(id: string, intervalSeconds: number, nextPollAt: number): Promise<void> {
    return this.#atomic(() => {
      this.#prepare(
        "UPDATE sign_ins SET interval_seconds = ?, next_poll_at = ? WHERE id = ? AND status = 'pending'",
      ).run(intervalSeconds, nextPollAt, id);
    });
  }

  endSignIn(
    id: string,
    outcome: Pick<PendingSignIn, "status" | "login" | "message">,
    audit?: AuditInput,
  ): Promise<void> {
    return this.#atomic(() => {
      const changed = this.#prepare(
        "UPDATE sign_ins SET status = ?, login = ?, message = ? WHERE id = ? AND status = 'pending'",
      ).run(outcome.status, outcome.login ?? null, outcome.message ?? null, id).changes;
      if (changed > 0 && audit) this.#audit(audit);
    });
  }

  completeSignIn(input: CompleteSignInInput): Promise<TeamUser> {
    return this.#atomic(() => {
      const { user } = input;
      const key = loginKey(user.login);
      const claimed = this.#prepare(
        "UPDATE sign_ins SET status = 'complete', login = ? WHERE id = ? AND status = 'pending'",
      ).run(user.login, input.signInId).changes;
      if (claimed === 0) {
        throw new StoreError(
          "sign_in_not_pending",
          "This sign-in already finished or expired; start a new one.",
        );
      }
      this.#prepare(
        `INSERT INTO users (login_key, login, github_id, name, orgs, created_at, last_sign_in_at)
           VALUES (@key, @login, @githubId, @name, @orgs, @createdAt, @lastSignInAt)
           ON CONFLICT(login_key) DO UPDATE SET login = excluded.login, github_id = excluded.github_id,
             name = excluded.name, orgs = excluded.orgs, last_sign_in_at = excluded.last_sign_in_at`,
      ).run({
        key,
        login: user.login,
        githubId: user.githubId,
        name: user.name ?? null,
        orgs: JSON.stringify(user.orgs),
        createdAt: user.createdAt,
        lastSignInAt: user.lastSignInAt,
      });
      this.#putToken(input.token);
      this.#insertKey(input.key);
      if (input.session) this.#insertSession(input.session);
      for (const entry of input.audit) this.#audit(entry);
      return this.#user(user.login)!;
    });
  }

  deleteSignInsBefore(before: number): Promise<number> {
    return this.#atomic(() => this.#prepare("DELETE FROM sign_ins WHERE created_at < ?").run(before).changes);
  }

  #insertSession(session: PageSession): void {
    this.#prepare(
      "INSERT INTO page_sessions (id, login_key, login, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    ).run(session.id, loginKey(session.login), session.login, session.createdAt, session.expiresAt);
  }

  createPageSession(session: PageSession): Promise<void> {
    return this.#atomic(() => this.#insertSession(session));
  }

  getPageSession(id: string): Promise<PageSession | undefined> {
    return this.#read(() => {
      const row = this.#prepare("SELECT * FROM page_sessions WHERE id = ?").get(id) as Row | undefined;
      if (!row) return undefined;
      return parseRow(
        pageSessionSchema,
        { id: row.id, login: row.login, createdAt: row.created_at, expiresAt: row.expires_at },
        "page session",
      );
    });
  }

  deletePageSession(id: string): Promise<void> {
    return this.#atomic(() => {
      this.#prepare("DELETE FROM page_sessions WHERE id = ?").run(id);
    });
  }

  recordUsage(event: UsageEvent): Promise<void> {
    return this.#atomic(() => {
      const key = loginKey(event.login);
      this.#prepare(
        `INSERT INTO usage_daily (login_key, login, model, day, requests, input_tokens, output_tokens, cached_tokens)
           VALUES (@key, @login, @model, @day, @requests, @inputTokens, @outputTokens, @cachedTokens)
           ON CONFLICT(login_key, model, day) DO UPDATE SET
             requests = requests + excluded.requests,
             input_tokens = input_tokens + excluded.input_tokens,
             output_tokens = output_tokens + excluded.output_tokens,
             cached_tokens = cached_tokens + excluded.cached_tokens`,
      ).run({
        key,
        login: event.login,
        model: event.model,
        day: event.day,
        requests: event.requests,
        inputTokens: event.inputTokens,
        outputTokens: event.outputTokens,
        cachedTokens: event.cachedTokens,
      });
      this.#prepare(
        "UPDATE users SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE login_key = ?",
      ).run(event.at, key);
      if (event.keyId !== undefined) {
        this.#prepare(
          "UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?",
        ).run(event.at, event.keyId);
      }
    });
  }

  usage(query: UsageQuery): Promise<UsageRow[]> {
    return this.#read(() => {
      const rows =
        query.login === undefined
          ? this.#prepare(
              "SELECT * FROM usage_daily WHERE day BETWEEN ? AND ? ORDER BY day, login_key, model",
            ).all(query.fromDay, query.toDay)
          : this.#prepare(
              "SELECT * FROM usage_daily WHERE login_key = ? AND day BETWEEN ? AND ? ORDER BY day, model",
            ).all(loginKey(query.login), query.fromDay, query.toDay);
      return (rows as Row[]).map((row) =>
        parseRow(
          usageRowSchema,
          {
            login: row.login,
            model: row.model,
            day: row.day,
            requests: row.requests,
            inputTokens: row.input_tokens,
            outputTokens: row.output_tokens,
            cachedTokens: row.cached_tokens,
          },
          "usage",
        ),
      );
    });
  }

  appendAudit(entry: AuditInput): Promise<void> {
    return this.#atomic(() => this.#audit(entry));
  }

  listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#read(() => {
      const limit = Math.max(0, Math.min(MAX_AUDIT, Math.floor(query.limit)));
      const rows =
        query.login === undefined
          ? this.#prepare("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?").all(limit)
          : this.#prepare(
              "SELECT * FROM audit_log WHERE lower(actor) = ? OR lower(subject) = ? ORDER BY id DESC LIMIT ?",
            ).all(loginKey(query.login), loginKey(query.login), limit);
      return (rows as Row[]).map(toAudit);
    });
  }

  close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    return Promise.resolve();
  }
}
