import type { Dispatcher } from "undici";
import { fetchGitHubOrgs } from "../auth/github-orgs.js";
import type { Settings } from "../config/settings.js";
import { CopilotClient } from "../copilot/client.js";
import { TokenExchangeError } from "../copilot/exchange-token.js";
import type { CopilotSession } from "../copilot/session.js";
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
import type { SecretBox } from "./secret-box.js";
import { type PersonSession, SessionPool, type SessionPoolOptions } from "./session-pool.js";
import { createMemoryTeamEvents, type TeamEvents } from "./team-events.js";
import type { TeamOptions } from "./team-options.js";
import { isMember, TeamSignIn } from "./team-sign-in.js";
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
  billing: TeamOptions["billing"];
}

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
      onRefresh: (person) => void this.#recheckMembership(person),
    });
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

  /** Add a finished request to the person's counters (never fails the request: a store error is only logged). */
  async recordUsage(input: {
    login: string;
    keyId: string;
    model: string | undefined;
    inputTokens: number | undefined;
    outputTokens: number | undefined;
    cachedTokens?: number | undefined;
  }): Promise<void> {
    const at = this.#now();
    try {
      await this.store.recordUsage({
        login: input.login,
        keyId: input.keyId,
        model: input.model ?? "(none)",
        day: utcDay(at),
        requests: 1,
        inputTokens: input.inputTokens ?? 0,
        outputTokens: input.outputTokens ?? 0,
        cachedTokens: input.cachedTokens ?? 0,
        at,
      });
    } catch (error) {
      this.#deps.warn?.(`warning: could not record usage for ${input.login}: ${(error as Error).message}`);
    }
  }

  /** Membership is checked again each time a person's Copilot token is exchanged. */
  async #recheckMembership(person: PersonSession): Promise<void> {
    const { allowOrgs } = this.options;
    if (allowOrgs.length === 0) return;
    const { settings, dispatcher } = this.#deps;
    try {
      const orgs = await fetchGitHubOrgs({
        endpoints: settings.endpoints,
        identity: settings.identity,
        dispatcher,
        githubToken: person.githubToken,
      });
      await this.store.setUserOrgs(person.login, orgs);
      if (!isMember(orgs, allowOrgs)) {
        await this.store.appendAudit({
          at: this.#now(),
          actor: "gateway",
          action: "membership_lost",
          subject: person.login,
          detail: `no longer a member of ${allowOrgs.join(", ")}`,
        });
        this.pool.evict(person.login);
        this.#deps.warn?.(
          `${person.login} is no longer a member of ${allowOrgs.join(" or ")}; their requests are refused.`,
        );
      }
    } catch (error) {
      this.#deps.warn?.(
        `warning: could not re-check ${person.login}'s organisations: ${(error as Error).message}`,
      );
    }
  }

  /** Everything the page shows a person about themselves. */
  async personView(login: string): Promise<PersonView | undefined> {
    const user = await this.store.getUser(login);
    if (!user) return undefined;
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
  async adminView(): Promise<{ users: (TeamUser & { usage: UsageSummary; keys: ApiKeyRecord[] })[] }> {
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
      })),
    };
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    this.pool.close();
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
