import type { Dispatcher } from "undici";
import { fetchGitHubOrgs } from "../auth/github-orgs.js";
import type { Settings } from "../config/settings.js";
import { CopilotClient } from "../copilot/client.js";
import { TokenExchangeError } from "../copilot/exchange-token.js";
import type { LimitSnapshot } from "../copilot/limits/limit-snapshot.js";
import type { CopilotSession } from "../copilot/session.js";
import { fetchCopilotUsage } from "../copilot/usage.js";
import type { GatewayMetrics } from "../server/metrics/gateway-metrics.js";
import { type ApiKeyRecord, type TeamUser, utcDay } from "../store/records.js";
import type { KeyOwner, Store } from "../store/store.js";
import {
  invalidPersonalKey,
  notInAllowedOrg,
  personSignInLost,
  revokedPersonalKey,
  userConcurrencyLimited,
  userRateLimited,
} from "./person-errors.js";
import { generatePersonalKey, hashSecret, isPersonalKey, newKeyId, personalKeyHint } from "./personal-key.js";
import { type SeatQuota, seatQuota } from "./seat-quota.js";
import type { SecretBox } from "./secret-box.js";
import { type PersonSession, SessionPool, type SessionPoolOptions } from "./session-pool.js";
import { createMemoryTeamEvents, type TeamEvents } from "./team-events.js";
import type { TeamOptions } from "./team-options.js";
import { isMember, TeamSignIn } from "./team-sign-in.js";
import { type RequestUsage, UsageRecorder } from "./usage-recorder.js";
import { summarizeUsage, type UsageSummary } from "./usage-summary.js";
import { composeAdmission, type UserAdmission } from "./user-admission.js";
import { createMemoryConcurrencyLimiter, type UserConcurrencyLimiter } from "./user-concurrency.js";
import { createMemoryRateLimiter, type UserRateLimiter } from "./user-rate-limiter.js";

export interface TeamGatewayDeps {
  settings: Settings;
  store: Store;
  box: SecretBox;
  dispatcher: Dispatcher;
  options: TeamOptions;
  /** `--billing org`: the session on the organisation's GitHub App every request runs on. */
  orgSession?: CopilotSession | undefined;
  events?: TeamEvents | undefined;
  rateLimiter?: UserRateLimiter | undefined;
  concurrency?: UserConcurrencyLimiter | undefined;
  /**
   * Both limits decided at once (Redis: one script, one round trip per request). Default: the two limiters above
   * composed.
   */
  admission?: UserAdmission | undefined;
  /** Told about things an operator should see (membership lost, a failed usage write). */
  warn?: ((message: string) => void) | undefined;
  now?: (() => number) | undefined;
  /** Copilot tokens shared with other replicas (Redis). */
  shareToken?: SessionPoolOptions["shareToken"];
  /** Pool bounds (tests shrink them). */
  maxSessions?: number | undefined;
  idleMs?: number | undefined;
  /** `--metrics`: per-person sessions are followed (exchanges, retries, limits), labelled by login. */
  metrics?: GatewayMetrics | undefined;
  /** How long usage counts wait in memory before they are written to the store (default 1 s). */
  usageFlushMs?: number | undefined;
}

/** A request admitted by a personal key: who, with which key, on which client; `done` ends its concurrency slot. */
export interface AdmittedRequest {
  login: string;
  keyId: string;
  client: CopilotClient;
  done: () => void;
}

/** What a signed-in person sees about themselves on the page. */
export interface PersonView {
  login: string;
  admin: boolean;
  user: TeamUser;
  keys: ApiKeyRecord[];
  usage: UsageSummary;
  limits: {
    userRpm: number | undefined;
    userConcurrency: number | undefined;
    remainingThisMinute: number | undefined;
  };
  /**
   * Copilot's own limits (session, weekly, quotas) from the headers of this person's last answer on this replica;
   * with `--billing org` they are the organisation App's, shared by everybody.
   */
  copilotLimits: LimitSnapshot | undefined;
  copilotLimitsOf: "seat" | "organisation";
  billing: TeamOptions["billing"];
}

/** A person as an admin sees them: their keys, use and last known Copilot limits. */
export type AdminUserView = TeamUser & {
  usage: UsageSummary;
  keys: ApiKeyRecord[];
  copilotLimits: LimitSnapshot | undefined;
};

/** How many people's last limit snapshots are kept in memory (least recently updated dropped first). */
const MAX_LIMIT_SNAPSHOTS = 10_000;
/** `--billing org`: membership is checked again this often per person (a Copilot token's usual refresh period). */
const ORG_BILLING_RECHECK_MS = 25 * 60_000;
/** A seat's quota report is reused this long (a page reload must not cost a GitHub call each time). */
const SEAT_QUOTA_TTL_MS = 60_000;

/**
 * The team gateway's logic, shared by its HTTP routes and the CLI: admitting requests by personal key, one Copilot
 * session per person (or the organisation's), sign-ins, keys, usage and the admin actions, all through the Store.
 */
export class TeamGateway {
  readonly store: Store;
  readonly options: TeamOptions;
  readonly signIns: TeamSignIn;
  readonly pool: SessionPool;
  readonly events: TeamEvents;
  readonly #deps: TeamGatewayDeps;
  readonly #now: () => number;
  readonly #rate: UserRateLimiter | undefined;
  readonly #admission: UserAdmission | undefined;
  readonly #orgClient: CopilotClient | undefined;
  readonly #unsubscribe: () => void;
  readonly #usage: UsageRecorder;
  readonly #limits = new Map<string, LimitSnapshot>();
  readonly #quotas = new Map<string, Promise<SeatQuota>>();
  /** `--billing org`: when each person's membership was last checked (see #recheckOnOrgBilling). */
  readonly #orgChecks = new Map<string, number>();
  readonly #unwatchOrg: (() => void) | undefined;

  constructor(deps: TeamGatewayDeps) {
    this.#deps = deps;
    this.store = deps.store;
    this.options = deps.options;
    this.#now = deps.now ?? Date.now;
    this.events = deps.events ?? createMemoryTeamEvents();
    const { userRpm, userConcurrency } = deps.options;
    this.#rate = deps.rateLimiter ?? (userRpm === undefined ? undefined : createMemoryRateLimiter(userRpm));
    const concurrency =
      deps.concurrency ??
      (userConcurrency === undefined ? undefined : createMemoryConcurrencyLimiter(userConcurrency));
    this.#admission =
      deps.admission ?? (this.#rate || concurrency ? composeAdmission(this.#rate, concurrency) : undefined);
    this.#orgClient = deps.orgSession ? new CopilotClient(deps.orgSession) : undefined;
    this.pool = new SessionPool({
      settings: deps.settings,
      store: deps.store,
      box: deps.box,
      dispatcher: deps.dispatcher,
      maxSessions: deps.maxSessions,
      idleMs: deps.idleMs,
      shareToken: deps.shareToken,
      now: this.#now,
      verify: (person) => this.#verifyMembership(person),
      watch: (person) => this.#watch(person),
    });
    this.#usage = new UsageRecorder({ store: deps.store, flushMs: deps.usageFlushMs, warn: deps.warn });
    this.#unwatchOrg = deps.orgSession && deps.metrics?.watchSession(deps.orgSession);
    this.signIns = new TeamSignIn({
      settings: deps.settings,
      store: deps.store,
      box: deps.box,
      dispatcher: deps.dispatcher,
      options: deps.options,
      now: this.#now,
      onSignedIn: (login) => void this.events.publish({ type: "user_token_changed", login }),
    });
    this.#unsubscribe = this.events.subscribe((event) => {
      if (event.type === "user_disabled" || event.type === "user_token_changed") this.pool.evict(event.login);
    });
  }

  /** Where people are told to sign in, for messages. */
  signInHint(baseUrl: string): string {
    const url = this.options.publicUrl ?? baseUrl;
    return `\`copilot-gateway connect ${url}\` or ${url}/`;
  }

  isAdmin(login: string): boolean {
    return this.options.admins.some((a) => a.toLowerCase() === login.toLowerCase());
  }

  /** The key's owner, or the 401 that says what to do. */
  async authenticate(presented: string | undefined, baseUrl: string): Promise<KeyOwner> {
    const hint = this.signInHint(baseUrl);
    if (!presented || !isPersonalKey(presented)) throw invalidPersonalKey(hint);
    const owner = await this.store.findApiKey(hashSecret(presented));
    if (!owner) throw invalidPersonalKey(hint);
    if (owner.key.revokedAt !== undefined || owner.user.disabledAt !== undefined) {
      throw revokedPersonalKey(hint, owner.user.disabledAt !== undefined);
    }
    return owner;
  }

  /**
   * Admit a model request: a valid key, a member of an allowed organisation, within the person's limits; then their
   * Copilot client (their own seat, or the organisation's App with `--billing org`).
   */
  async admit(presented: string | undefined, baseUrl: string): Promise<AdmittedRequest> {
    const { key, user } = await this.authenticate(presented, baseUrl);
    const { allowOrgs } = this.options;
    if (allowOrgs.length > 0 && !isMember(user.orgs, allowOrgs)) throw notInAllowedOrg(user.login, allowOrgs);
    if (this.#orgClient && allowOrgs.length > 0) await this.#recheckOnOrgBilling(user.login);
    const admission = this.#admission ? await this.#admission.admit(user.login, this.#now()) : undefined;
    if (admission && !admission.allowed)
      throw admission.reason === "rate"
        ? userRateLimited(admission.limit, admission.retryAfterMs)
        : userConcurrencyLimited(admission.limit);
    const slot = admission?.slot;
    try {
      const client = await this.#clientFor(user.login);
      return { login: user.login, keyId: key.id, client, done: () => slot?.release() };
    } catch (error) {
      slot?.release();
      throw error;
    }
  }

  /**
   * With `--billing org` nobody's own Copilot token is exchanged, so there is no refresh to check membership beside:
   * it is checked instead on a person's first request on this replica and then once per Copilot refresh period.
   */
  async #recheckOnOrgBilling(login: string): Promise<void> {
    const key = login.toLowerCase();
    const now = this.#now();
    const last = this.#orgChecks.get(key);
    if (last !== undefined && now - last < ORG_BILLING_RECHECK_MS) return;
    // Marked before the check, so a burst of requests checks once.
    this.#orgChecks.delete(key);
    this.#orgChecks.set(key, now);
    if (this.#orgChecks.size > MAX_LIMIT_SNAPSHOTS) {
      const oldest = this.#orgChecks.keys().next().value;
      if (oldest !== undefined) this.#orgChecks.delete(oldest);
    }
    await this.#verifyMembership(await this.pool.get(login));
  }

  async #clientFor(login: string): Promise<CopilotClient> {
    if (this.#orgClient) return this.#orgClient;
    const person = await this.pool.get(login);
    try {
      // Usually the cached token; the first request of a session waits for its exchange here, so a dead GitHub
      // token is reported as the person's own sign-in problem rather than as the gateway's.
      await person.session.tokens.get();
    } catch (error) {
      if (error instanceof TokenExchangeError && error.code === "bad_credentials") {
        this.pool.evict(login);
        throw personSignInLost(login, "GitHub rejected it: revoked or expired");
      }
      throw error;
    }
    return person.client;
  }

  /**
   * Count an answered request for its person (requests, input, output and cached tokens per model and day). Only
   * adds to memory: the store is written in batches after the answers went out (see UsageRecorder).
   */
  recordUsage(usage: RequestUsage): void {
    this.#usage.add(usage);
  }

  /** Write the usage counts still in memory (before reading them back, and on shutdown). */
  flushUsage(): Promise<void> {
    return this.#usage.flush();
  }

  /**
   * Membership is checked again beside each exchange of a person's Copilot token. A person no longer in an allowed
   * organisation is refused by that very exchange (and by every request after it, from the stored orgs). When GitHub
   * cannot say, the person keeps working and the operator is warned.
   */
  async #verifyMembership(person: PersonSession): Promise<void> {
    const { allowOrgs } = this.options;
    if (allowOrgs.length === 0) return;
    const { settings, dispatcher } = this.#deps;
    let orgs: string[];
    try {
      orgs = await fetchGitHubOrgs({
        endpoints: settings.endpoints,
        identity: settings.identity,
        dispatcher,
        githubToken: person.githubToken,
      });
    } catch (error) {
      this.#deps.warn?.(
        `warning: could not re-check ${person.login}'s organisations: ${(error as Error).message}`,
      );
      return;
    }
    try {
      await this.store.setUserOrgs(person.login, orgs);
    } catch (error) {
      this.#deps.warn?.(
        `warning: could not store ${person.login}'s organisations: ${(error as Error).message}`,
      );
    }
    if (isMember(orgs, allowOrgs)) return;
    await this.store
      .appendAudit({
        at: this.#now(),
        actor: "gateway",
        action: "membership_lost",
        subject: person.login,
        detail: `no longer a member of ${allowOrgs.join(", ")}`,
      })
      .catch(() => {});
    this.#deps.warn?.(
      `${person.login} is no longer a member of ${allowOrgs.join(" or ")}; their requests are refused.`,
    );
    // Dropped once this exchange has failed, so nothing of theirs stays in memory.
    queueMicrotask(() => this.pool.evict(person.login));
    throw notInAllowedOrg(person.login, allowOrgs);
  }

  /** Follow a person's session: their Copilot limits for the page, and their series for the metrics. */
  #watch(person: PersonSession): () => void {
    const key = person.login.toLowerCase();
    const remember = (snapshot: LimitSnapshot) => {
      this.#limits.delete(key);
      this.#limits.set(key, snapshot);
      if (this.#limits.size > MAX_LIMIT_SNAPSHOTS) {
        const oldest = this.#limits.keys().next().value;
        if (oldest !== undefined) this.#limits.delete(oldest);
      }
    };
    const stopLimits = person.session.limits.onChange(remember);
    const stopMetrics = this.#deps.metrics?.watchSession(person.session, person.login);
    return () => {
      stopLimits();
      stopMetrics?.();
    };
  }

  /** The last Copilot limits seen for a person (or, with `--billing org`, for the organisation's App). */
  copilotLimits(login: string): LimitSnapshot | undefined {
    if (this.#deps.orgSession) return this.#deps.orgSession.limits.current();
    return this.#limits.get(login.toLowerCase());
  }

  /**
   * The person's own seat as GitHub reports it (`copilot_internal/user`): plan, quotas, reset date. Undefined with
   * `--billing org` (nobody's own seat is used). Reused for a minute.
   */
  async seatQuota(login: string): Promise<SeatQuota | undefined> {
    if (this.options.billing === "org") return undefined;
    const key = login.toLowerCase();
    const known = await this.#quotas.get(key)?.catch(() => undefined);
    if (known && this.#now() - known.fetchedAt < SEAT_QUOTA_TTL_MS) return known;
    const fetching = (async () => {
      const person = await this.pool.get(login);
      const { settings, dispatcher } = this.#deps;
      const usage = await fetchCopilotUsage({
        endpoints: settings.endpoints,
        identity: settings.identity,
        dispatcher,
        githubToken: person.githubToken,
      });
      return seatQuota(usage, this.#now());
    })();
    this.#quotas.set(key, fetching);
    fetching.catch(() => {
      if (this.#quotas.get(key) === fetching) this.#quotas.delete(key);
    });
    if (this.#quotas.size > MAX_LIMIT_SNAPSHOTS) {
      const oldest = this.#quotas.keys().next().value;
      if (oldest !== undefined) this.#quotas.delete(oldest);
    }
    return fetching;
  }

  /** Everything the page shows a person about themselves. */
  async personView(login: string): Promise<PersonView | undefined> {
    const user = await this.store.getUser(login);
    if (!user) return undefined;
    await this.flushUsage();
    const now = this.#now();
    const [keys, rows, left] = await Promise.all([
      this.store.listApiKeys(login),
      this.store.usage({ login, fromDay: utcDay(now - 29 * 86_400_000), toDay: utcDay(now) }),
      this.#rate?.peek(login, now),
    ]);
    return {
      login: user.login,
      admin: this.isAdmin(user.login),
      user,
      keys,
      usage: summarizeUsage(rows, utcDay(now)),
      limits: {
        userRpm: this.options.userRpm,
        userConcurrency: this.options.userConcurrency,
        remainingThisMinute: left?.remaining,
      },
      copilotLimits: this.copilotLimits(user.login),
      copilotLimitsOf: this.#deps.orgSession ? "organisation" : "seat",
      billing: this.options.billing,
    };
  }

  /** A new key for a signed-in person; the only time the key itself is seen. */
  async createKey(
    login: string,
    name: string,
    address?: string,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generatePersonalKey();
    const now = this.#now();
    const record: ApiKeyRecord = {
      id: newKeyId(),
      login,
      name,
      hash: hashSecret(key),
      hint: personalKeyHint(key),
      createdAt: now,
    };
    await this.store.createApiKey(record, {
      at: now,
      actor: login,
      action: "key_created",
      detail: name,
      ...(address && { address }),
    });
    return { key, record };
  }

  /** Revoke a key: its owner may, and so may an admin. Undefined when the actor may not or it does not exist. */
  async revokeKey(actor: string, keyId: string, address?: string): Promise<ApiKeyRecord | undefined> {
    const keys = await this.store.listApiKeys(this.isAdmin(actor) ? undefined : actor);
    const target = keys.find((k) => k.id === keyId);
    if (!target) return undefined;
    const revoked = await revokeKey(this.store, actor, target, this.#now(), address);
    if (revoked)
      await this.events.publish({ type: "key_revoked", login: revoked.login, keyId, keyHash: revoked.hash });
    return revoked;
  }

  async disableUser(actor: string, login: string, address?: string): Promise<boolean> {
    const revoked = await disableUser(this.store, actor, login, this.#now(), address);
    if (revoked === undefined) return false;
    await this.events.publish({ type: "user_disabled", login });
    return true;
  }

  async enableUser(actor: string, login: string, address?: string): Promise<boolean> {
    return this.store.enableUser(login, {
      at: this.#now(),
      actor,
      action: "user_enabled",
      subject: login,
      ...(address && { address }),
    });
  }

  /** Every person with their usage, for admins. */
  async adminView(): Promise<{ users: AdminUserView[] }> {
    await this.flushUsage();
    const now = this.#now();
    const [users, keys, rows] = await Promise.all([
      this.store.listUsers(),
      this.store.listApiKeys(),
      this.store.usage({ fromDay: utcDay(now - 29 * 86_400_000), toDay: utcDay(now) }),
    ]);
    return {
      users: users.map((user) => ({
        ...user,
        keys: keys.filter((k) => k.login.toLowerCase() === user.login.toLowerCase()),
        usage: summarizeUsage(
          rows.filter((r) => r.login.toLowerCase() === user.login.toLowerCase()),
          utcDay(now),
        ),
        copilotLimits: this.copilotLimits(user.login),
      })),
    };
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    this.#unwatchOrg?.();
    this.pool.close();
    await this.#usage.close();
    await this.events.close();
  }
}

/** Revoke one key with its audit entry (shared by the page and `copilot-gateway team revoke`). */
export function revokeKey(
  store: Store,
  actor: string,
  key: ApiKeyRecord,
  at: number,
  address?: string,
): Promise<ApiKeyRecord | undefined> {
  return store.revokeApiKey(key.id, actor, at, {
    at,
    actor,
    action: "key_revoked",
    subject: key.login,
    detail: `${key.name} (${key.id})`,
    ...(address && { address }),
  });
}

/** Revoke a person: every key, their sealed token and page sessions, with the audit entry. */
export function disableUser(
  store: Store,
  actor: string,
  login: string,
  at: number,
  address?: string,
): Promise<ApiKeyRecord[] | undefined> {
  return store.disableUser(login, actor, at, {
    at,
    actor,
    action: "user_disabled",
    subject: login,
    ...(address && { address }),
  });
}
