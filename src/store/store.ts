import type {
  ApiKeyRecord,
  AuditEntry,
  AuditInput,
  PageSession,
  PendingSignIn,
  SealedGitHubToken,
  TeamUser,
  UsageEvent,
  UsageRow,
} from "./records.js";

/** Everything a sign-in settles at once: the person, their sealed token, a new key, maybe a page session. */
export interface CompleteSignInInput {
  signInId: string;
  /** Created, or updated (githubId, name, orgs, lastSignInAt) keeping createdAt/lastUsedAt when the login exists. */
  user: Omit<TeamUser, "createdAt" | "lastUsedAt" | "disabledAt" | "disabledBy"> & { createdAt: number };
  token: SealedGitHubToken;
  key: ApiKeyRecord;
  session?: PageSession | undefined;
  audit: AuditInput[];
}

/** What `findApiKey` answers for the hot path: the key and its owner, read together. */
export interface KeyOwner {
  key: ApiKeyRecord;
  user: TeamUser;
}

export interface UsageQuery {
  /** One person, or everybody when absent. */
  login?: string | undefined;
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  fromDay: string;
  toDay: string;
}

export interface AuditQuery {
  /** Newest first, at most this many (implementations cap it at 1000). */
  limit: number;
  /** Only entries whose actor or subject is this login. */
  login?: string | undefined;
}

/**
 * The team gateway's storage, named after what the gateway does with it. For implementers:
 * - Logins compare case-insensitively (GitHub's rule); return them as they were first stored.
 * - Each method is one atomic step: a transaction in SQLite, one MULTI/script per person in Redis (everything about
 *   a person can live under one hash tag `{login}`; the key-hash and sign-in indexes are the only global lookups).
 * - Return copies validated with the schemas in `records.ts`; never keep or return a token in clear (tokens and
 *   device codes arrive sealed, keys and session ids arrive hashed).
 * - A missing record is `undefined`, not an error. Failures of the backend itself throw `StoreError`.
 * - `test/store/store-contract.ts` is the behaviour every implementation must pass.
 */
export interface Store {
  /** Short description for the start-up line and `status`, e.g. "SQLite /path/team.db". */
  readonly description: string;

  // People
  getUser(login: string): Promise<TeamUser | undefined>;
  listUsers(): Promise<TeamUser[]>;
  /** Record a membership check made while refreshing the person's token. */
  setUserOrgs(login: string, orgs: string[]): Promise<void>;
  /**
   * Revoke a person: mark them disabled, revoke every key, forget their sealed token and page sessions, and write
   * the audit entry, all at once. Returns the keys that were revoked (empty when the person is unknown).
   */
  disableUser(login: string, by: string, at: number, audit: AuditInput): Promise<ApiKeyRecord[] | undefined>;
  /** Let a disabled person sign in again (their old keys stay revoked). False when unknown. */
  enableUser(login: string, audit: AuditInput): Promise<boolean>;

  // GitHub tokens (sealed)
  getGitHubToken(login: string): Promise<SealedGitHubToken | undefined>;
  /** Replace the sealed token (re-sealed under a new secret, or a refreshed GitHub token). */
  putGitHubToken(token: SealedGitHubToken): Promise<void>;

  // Personal keys
  createApiKey(key: ApiKeyRecord, audit: AuditInput): Promise<void>;
  /** The hot path: the key with this SHA-256 hash and its owner, whether revoked or not (the caller decides). */
  findApiKey(hash: string): Promise<KeyOwner | undefined>;
  /** Keys of one person, or of everybody; newest first. */
  listApiKeys(login?: string): Promise<ApiKeyRecord[]>;
  /** Mark a key revoked. Returns it, or undefined when no such key exists; revoking twice keeps the first time. */
  revokeApiKey(id: string, by: string, at: number, audit: AuditInput): Promise<ApiKeyRecord | undefined>;

  // Device-flow sign-ins the gateway runs for people
  createSignIn(signIn: PendingSignIn): Promise<void>;
  getSignIn(id: string): Promise<PendingSignIn | undefined>;
  /**
   * Claim the right to poll GitHub now: true (and `nextPollAt` moved to `nextPollAt`) only when the sign-in is
   * pending and its `nextPollAt` is not after `now`. Two replicas asking at once get one true.
   */
  claimSignInPoll(id: string, now: number, nextPollAt: number): Promise<boolean>;
  /** Change a pending sign-in's polling interval (slow_down) without finishing it. */
  setSignInInterval(id: string, intervalSeconds: number, nextPollAt: number): Promise<void>;
  /** End a sign-in without a key (refused, denied, expired, failed), with the audit entry if any. */
  endSignIn(
    id: string,
    outcome: Pick<PendingSignIn, "status" | "login" | "message">,
    audit?: AuditInput,
  ): Promise<void>;
  /** A sign-in succeeded: store person, token, key, session and audit, and mark the sign-in complete, at once. */
  completeSignIn(input: CompleteSignInInput): Promise<TeamUser>;
  /** Forget sign-ins created before `before` (finished or not). Returns how many. */
  deleteSignInsBefore(before: number): Promise<number>;

  // Page sessions
  createPageSession(session: PageSession): Promise<void>;
  getPageSession(id: string): Promise<PageSession | undefined>;
  deletePageSession(id: string): Promise<void>;

  // Usage counters
  /** Add one request's counters (per person, model, day) and set the person's and key's last-used time. */
  recordUsage(event: UsageEvent): Promise<void>;
  /** Counters per person, model and day in the range; sorted by day, login, model. */
  usage(query: UsageQuery): Promise<UsageRow[]>;

  // Audit log
  appendAudit(entry: AuditInput): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;

  close(): Promise<void>;
}
