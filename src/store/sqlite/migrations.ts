/**
 * The SQLite schema, as numbered steps. Each step runs in one transaction together with the row that records it,
 * so a crash leaves the file at a whole version. Never edit a released step: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "team store",
    sql: `
      CREATE TABLE users (
        login_key TEXT PRIMARY KEY,
        login TEXT NOT NULL,
        github_id INTEGER NOT NULL,
        name TEXT,
        orgs TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        last_sign_in_at INTEGER NOT NULL,
        last_used_at INTEGER,
        disabled_at INTEGER,
        disabled_by TEXT
      ) STRICT;

      CREATE TABLE github_tokens (
        login_key TEXT PRIMARY KEY REFERENCES users(login_key) ON DELETE CASCADE,
        login TEXT NOT NULL,
        sealed TEXT NOT NULL,
        host TEXT NOT NULL,
        scopes TEXT,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        login_key TEXT NOT NULL REFERENCES users(login_key) ON DELETE CASCADE,
        login TEXT NOT NULL,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER,
        revoked_by TEXT
      ) STRICT;
      CREATE INDEX api_keys_by_login ON api_keys(login_key, created_at);

      CREATE TABLE sign_ins (
        id TEXT PRIMARY KEY,
        via TEXT NOT NULL,
        key_name TEXT NOT NULL,
        sealed_device_code TEXT NOT NULL,
        user_code TEXT NOT NULL,
        verification_uri TEXT NOT NULL,
        interval_seconds REAL NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        next_poll_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        login TEXT,
        message TEXT,
        client_address TEXT
      ) STRICT;
      CREATE INDEX sign_ins_by_created ON sign_ins(created_at);

      CREATE TABLE page_sessions (
        id TEXT PRIMARY KEY,
        login_key TEXT NOT NULL REFERENCES users(login_key) ON DELETE CASCADE,
        login TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX page_sessions_by_login ON page_sessions(login_key);

      CREATE TABLE usage_daily (
        login_key TEXT NOT NULL,
        login TEXT NOT NULL,
        model TEXT NOT NULL,
        day TEXT NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cached_tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (login_key, model, day)
      ) STRICT;
      CREATE INDEX usage_daily_by_day ON usage_daily(day);

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        detail TEXT,
        address TEXT
      ) STRICT;
      CREATE INDEX audit_log_by_actor ON audit_log(actor);
      CREATE INDEX audit_log_by_subject ON audit_log(subject);
    `,
  },
];
