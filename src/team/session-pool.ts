import type { Dispatcher } from "undici";
import type { GitHubToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import { CopilotClient } from "../copilot/client.js";
import type { CopilotToken } from "../copilot/copilot-token.js";
import { type CopilotSession, createCopilotSession } from "../copilot/session.js";
import type { RetryPolicy } from "../copilot/transport.js";
import type { Store } from "../store/store.js";
import { personSignInLost } from "./person-errors.js";
import { githubTokenContext } from "./sealing.js";
import type { SecretBox } from "./secret-box.js";

/** One person's live connection to Copilot. */
export interface PersonSession {
  login: string;
  /** Their GitHub token, opened from the store (for the membership re-check); never logged. */
  githubToken: GitHubToken;
  session: CopilotSession;
  client: CopilotClient;
  /** Stop the token manager and whatever `watch` started; called once when the pool drops the session. */
  close(): void;
}

export interface SessionPoolOptions {
  settings: Settings;
  store: Store;
  box: SecretBox;
  /** Shared by every person: pooled sockets, one proxy/CA configuration. */
  dispatcher: Dispatcher;
  /** At most this many people's sessions are kept; the least recently used is dropped first. */
  maxSessions?: number | undefined;
  /** A session unused this long is dropped (its Copilot token is simply exchanged again next time). */
  idleMs?: number | undefined;
  /**
   * Run alongside each exchange of a person's Copilot token (initial, refresh, after a 401): the membership
   * re-check. When it throws, the exchange fails with its error, so the request that needed the token is refused.
   */
  verify?: ((person: PersonSession) => Promise<void>) | undefined;
  /** Told of each session built (metrics, limits); the function it returns is called when the session is dropped. */
  watch?: ((person: PersonSession) => () => void) | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /**
   * Share each person's Copilot token with other replicas (Redis): one exchange per person per refresh period
   * across all of them instead of one per replica.
   */
  shareToken?: ((login: string, box: SecretBox) => SharedSessionToken) | undefined;
  now?: (() => number) | undefined;
}

/** How a person's session gets its token through a cache shared between replicas. */
export interface SharedSessionToken {
  get(exchange: () => Promise<CopilotToken>): Promise<CopilotToken>;
  invalidate(token: CopilotToken): void;
}

interface Entry {
  person: Promise<PersonSession>;
  lastUsed: number;
}

/**
 * One Copilot session per person, built on first use from their sealed GitHub token: its own token manager (one
 * exchange in flight at a time), bounded by an LRU and an idle timeout. A person whose token fails only fails
 * their own requests: nothing here is shared between people but the socket pool.
 */
export class SessionPool {
  readonly #options: SessionPoolOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: SessionPoolOptions) {
    this.#options = options;
    this.#max = options.maxSessions ?? 1000;
    this.#idleMs = options.idleMs ?? 30 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, this.#idleMs / 4)));
    this.#sweeper.unref();
  }

  /** How many people have a live session. */
  get size(): number {
    return this.#entries.size;
  }

  has(login: string): boolean {
    return this.#entries.has(login.toLowerCase());
  }

  /** The person's session, built once even when many of their requests arrive together. */
  get(login: string): Promise<PersonSession> {
    const key = login.toLowerCase();
    const entry = this.#entries.get(key);
    if (entry) {
      entry.lastUsed = this.#now();
      // Most recently used goes last, so the first entry is always the one to drop.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry.person;
    }
    const person = this.#build(login);
    const created: Entry = { person, lastUsed: this.#now() };
    this.#entries.set(key, created);
    // A failed build is forgotten at once, so the next request tries again (e.g. after the person signs in anew).
    person.catch(() => {
      if (this.#entries.get(key) === created) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.evict(oldest);
    }
    return person;
  }

  /** Drop a person's session (revoked, disabled, signed in again, idle). */
  evict(login: string): void {
    const key = login.toLowerCase();
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    entry.person.then((p) => p.close()).catch(() => {});
  }

  /** Drop sessions idle for longer than the idle timeout. */
  sweep(): void {
    const cutoff = this.#now() - this.#idleMs;
    for (const [key, entry] of this.#entries) if (entry.lastUsed < cutoff) this.evict(key);
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const key of [...this.#entries.keys()]) this.evict(key);
  }

  async #build(login: string): Promise<PersonSession> {
    const { store, box, settings } = this.#options;
    const sealed = await store.getGitHubToken(login);
    if (!sealed) throw personSignInLost(login, "no GitHub sign-in is stored for you");
    let value: string;
    try {
      value = box.open(sealed.sealed, githubTokenContext(sealed.login));
    } catch (error) {
      throw personSignInLost(login, (error as Error).message.replace(/; sign in again\.?$/, ""));
    }
    // Sealed under a key since rotated: seal it again under the current one while we hold it in clear.
    if (box.isStale(sealed.sealed)) {
      await store.putGitHubToken({ ...sealed, sealed: box.seal(value, githubTokenContext(sealed.login)) });
    }
    let person: PersonSession | undefined;
    const shared = this.#options.shareToken?.(sealed.login, box);
    const verify = this.#options.verify;
    const githubToken: GitHubToken = {
      value,
      origin: "stored",
      label: `${sealed.login}'s sign-in on this gateway`,
    };
    const session = createCopilotSession({
      // The membership check runs beside the exchange (no added wait), and its refusal is the exchange's.
      shareExchange: async (exchange) => {
        const [token] = await Promise.all([
          shared ? shared.get(exchange) : exchange(),
          person && verify ? verify(person) : undefined,
        ]);
        return token;
      },
      ...(shared && { onInvalidate: shared.invalidate }),
      settings,
      dispatcher: this.#options.dispatcher,
      githubToken,
      retry: this.#options.retry,
      // Limits are read per answer; files per person in the state directory would only pile up.
      persistLimits: false,
    });
    let unwatch: (() => void) | undefined;
    person = {
      login: sealed.login,
      githubToken,
      session,
      client: new CopilotClient(session),
      close: () => {
        session.tokens.stop();
        unwatch?.();
        unwatch = undefined;
      },
    };
    unwatch = this.#options.watch?.(person);
    return person;
  }
}
