import type { Dispatcher } from "undici";
import type { EditorIdentity } from "../../config/editor-headers.js";
import type { Endpoints } from "../../config/hosts.js";
import { abortable } from "../../util/abortable.js";
import type { GitHubAppConfig } from "./app-config.js";
import { signAppJwt } from "./app-jwt.js";
import {
  type InstallationToken,
  InstallationTokenError,
  mintInstallationToken,
} from "./installation-token.js";

/** A drift this large between our clock and GitHub's `Date` is worth one warning (JWTs allow little slack). */
export const CLOCK_DRIFT_WARN_MS = 30_000;

export interface InstallationTokenSourceOptions {
  app: GitHubAppConfig;
  endpoints: Endpoints;
  identity: EditorIdentity;
  dispatcher: Dispatcher;
  /** Told once when GitHub's clock and ours disagree by CLOCK_DRIFT_WARN_MS or more. */
  warn?: ((message: string) => void) | undefined;
  /** Monotonic ms (refresh timing) and wall-clock ms (JWT times); injectable for tests. */
  now?: (() => number) | undefined;
  wallClock?: (() => number) | undefined;
  /** After a permanent failure (wrong id, key, installation, repository), wait this long before asking again, doubling up to the max. */
  backoffBaseMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  /** Share minted tokens with other processes (one mint per token lifetime for all of them). */
  share?: InstallationTokenShare | undefined;
}

/**
 * Installation tokens shared between processes (the team gateway's replicas on Redis): one process mints, the
 * others use its token until it is due.
 */
export interface InstallationTokenShare {
  /** A token some process already holds and that is not due yet; `mint` is called only when there is none. */
  get(mint: () => Promise<InstallationToken>): Promise<InstallationToken>;
  /** GitHub refused this token: no process should use it again. */
  invalidate(token: string): void;
}

/** How long before its end an installation token is renewed: 60 s, or half its life when that is shorter. */
export function installationRefreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 2);
}

/** A token held with the monotonic time by which it must be replaced. */
interface Held {
  token: InstallationToken;
  refreshAt: number;
  expiresAt: number;
}

/**
 * The installation-token layer of a GitHub App credential: mints a `ghs_` token with a fresh App JWT, reuses it
 * until shortly before it expires (60 s, or half its life when shorter), with one shared request for concurrent
 * callers. A permanent failure is remembered and answered from memory until its backoff ends, so a misconfigured
 * gateway does not call GitHub on every request. GitHub's `Date` header corrects the JWT's clock and is warned
 * about once when it differs from ours.
 */
export class InstallationTokenSource {
  readonly #o: InstallationTokenSourceOptions;
  readonly #now: () => number;
  readonly #wall: () => number;
  #held: Held | undefined;
  #inflight: Promise<Held> | undefined;
  #failure: { error: InstallationTokenError; until: number; streak: number } | undefined;
  #clockOffsetMs = 0;
  #driftWarned = false;
  #mints = 0;

  constructor(options: InstallationTokenSourceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#wall = options.wallClock ?? Date.now;
  }

  /** How many tokens were minted (diagnostics, tests). */
  get mintCount(): number {
    return this.#mints;
  }

  /** GitHub's clock minus ours, as last seen (ms). */
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  /** Milliseconds the current token still has before it must be replaced; 0 when there is none. */
  remainingMs(): number {
    return this.#held ? Math.max(0, this.#held.expiresAt - this.#now()) : 0;
  }

  /** A `ghs_` token good for a while yet, minting one (shared) when due. */
  async get(signal?: AbortSignal): Promise<InstallationToken> {
    const held = this.#held;
    if (held && this.#now() < held.refreshAt) return held.token;
    const failure = this.#failure;
    if (failure && this.#now() < failure.until) throw failure.error;
    try {
      return (await abortable(this.#mint(), signal)).token;
    } catch (error) {
      // A failed early refresh still leaves a token that works until it expires.
      if (held && this.#held === held && this.#now() < held.expiresAt) return held.token;
      throw error;
    }
  }

  /** Drop the current token (GitHub refused it), so the next get() mints a new one. */
  invalidate(token?: string): void {
    const held = this.#held?.token.token;
    if (token === undefined || held === token) this.#held = undefined;
    const refused = token ?? held;
    if (refused !== undefined) this.#o.share?.invalidate(refused);
  }

  #mint(): Promise<Held> {
    if (this.#inflight) return this.#inflight;
    const share = this.#o.share;
    const run = (async () => {
      const startedAt = this.#now();
      const token = share ? await share.get(() => this.#mintHere()) : await this.#mintHere();
      const refreshIn = token.refreshInMs ?? token.lifetimeMs - installationRefreshMarginMs(token.lifetimeMs);
      const held = { token, refreshAt: startedAt + refreshIn, expiresAt: startedAt + token.lifetimeMs };
      this.#held = held;
      this.#failure = undefined;
      return held;
    })().finally(() => {
      this.#inflight = undefined;
    });
    this.#inflight = run;
    return run;
  }

  /** Ask GitHub for a new token (with a fresh App JWT), learning its clock on the way. */
  async #mintHere(): Promise<InstallationToken> {
    const o = this.#o;
    for (let attempt = 1; ; attempt++) {
      this.#mints++;
      const localNowMs = this.#wall();
      const jwt = signAppJwt({
        appId: o.app.appId,
        key: o.app.privateKey,
        nowMs: localNowMs + this.#clockOffsetMs,
      });
      try {
        const { token, clockOffsetMs } = await mintInstallationToken({
          app: o.app,
          jwt,
          endpoints: o.endpoints,
          identity: o.identity,
          dispatcher: o.dispatcher,
          localNowMs,
          knownDriftMs: this.#clockOffsetMs || undefined,
        });
        this.#noteClock(clockOffsetMs);
        return token;
      } catch (error) {
        if (!(error instanceof InstallationTokenError) || !error.permanent) throw error;
        // A JWT refused because our clock is off: learn GitHub's clock from the answer and sign once more.
        const before = this.#clockOffsetMs;
        this.#noteClock(error.clockOffsetMs);
        if (error.code === "github_app_jwt_rejected" && attempt === 1 && this.#clockOffsetMs !== before)
          continue;
        const streak = (this.#failure?.streak ?? 0) + 1;
        const base = o.backoffBaseMs ?? 30_000;
        const wait = Math.min(o.backoffMaxMs ?? 15 * 60_000, base * 2 ** (streak - 1));
        this.#failure = { error, until: this.#now() + wait, streak };
        throw error;
      }
    }
  }

  #noteClock(offsetMs: number | undefined): void {
    if (offsetMs === undefined) return;
    this.#clockOffsetMs = Math.abs(offsetMs) >= CLOCK_DRIFT_WARN_MS ? offsetMs : 0;
    if (Math.abs(offsetMs) >= CLOCK_DRIFT_WARN_MS && !this.#driftWarned) {
      this.#driftWarned = true;
      const seconds = Math.round(Math.abs(offsetMs) / 1000);
      this.#o.warn?.(
        `this machine's clock is ${seconds} s ${offsetMs > 0 ? "behind" : "ahead of"} GitHub's (its Date header); App JWTs are now timed by GitHub's clock, but sync this one (NTP).`,
      );
    }
  }
}
