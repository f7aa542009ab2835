import type { TokenRequestReason } from "../credentials/copilot-credential.js";
import { AbortedError } from "../errors.js";
import { abortable } from "../util/abortable.js";
import type { CopilotToken } from "./copilot-token.js";

export interface TokenManagerOptions {
  /** Performs one exchange; the manager decides when, and says why (a 401 makes the next one "rejected"). */
  exchange: (reason: TokenRequestReason) => Promise<CopilotToken>;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  /** Called when a background refresh fails; it is retried with backoff, never silently dropped. */
  onRefreshError?: (error: unknown, attempt: number, nextRetryMs: number) => void;
  onRefresh?: (token: CopilotToken) => void;
  /** Backoff for failed background refreshes. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface TokenState {
  ready: boolean;
  /** Unix seconds the server gave (display only). */
  expiresAt: number | undefined;
  /** Milliseconds until the next planned refresh (0 when one is due). */
  refreshInMs: number | undefined;
  apiUrl: string | undefined;
  sku: string | undefined;
  lastError: unknown;
}

/**
 * When to refresh, measured from when the answer arrived (not from `expires_at` against a possibly wrong local
 * clock): normally `refresh_in − 60 s`, but never later than half the announced lifetime, so a short-lived token is
 * still refreshed before it expires.
 */
export function refreshDelayMs(refreshInSeconds: number): number {
  const seconds = Math.max(refreshInSeconds - 60, refreshInSeconds / 2);
  return Math.max(0, Math.floor(seconds * 1000));
}

/**
 * The background timer never fires more often than this, so a nonsensical `refresh_in` (0 or negative) cannot
 * turn into a tight exchange loop. Any token announced to live ≥ 0.5 s is refreshed before its time regardless.
 */
export const MIN_BACKGROUND_REFRESH_MS = 250;

/**
 * Holds the Copilot token: one shared in-flight exchange for concurrent callers, early refresh on a timer that
 * never keeps the process alive, and `invalidate()` for a 401 that says the token died early.
 */
export class CopilotTokenManager {
  readonly #options: TokenManagerOptions;
  readonly #now: () => number;
  #current: CopilotToken | undefined;
  #inflight: Promise<CopilotToken> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #lastError: unknown;
  #exchanges = 0;
  /** Copilot refused the last token (invalidate() dropped it): the next exchange is told so. */
  #rejected = false;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  /** How many exchanges this manager has performed (for diagnostics and tests). */
  get exchangeCount(): number {
    return this.#exchanges;
  }

  /** A token that is still fresh, exchanging (once, shared) when there is none. */
  async get(signal?: AbortSignal): Promise<CopilotToken> {
    const current = this.#current;
    if (current && this.#now() < current.receivedAt + refreshDelayMs(current.refreshIn)) return current;
    try {
      return await abortable(this.#refresh(), signal);
    } catch (error) {
      // A refresh that fails while the old token is still inside its announced lifetime does not fail the caller:
      // the token still works, and the error is kept in state() and retried by the next call or the timer.
      if (
        !(error instanceof AbortedError) &&
        current !== undefined &&
        this.#current === current &&
        this.#now() < current.receivedAt + current.refreshIn * 1000
      ) {
        this.#lastError = error;
        return current;
      }
      // No usable token (e.g. dropped after a 401): state() must still name why, for `status` and the page.
      if (!(error instanceof AbortedError)) this.#lastError = error;
      throw error;
    }
  }

  /** Forget the token (after a 401 from Copilot). Only the token that failed is dropped, so racing 401s exchange once. */
  invalidate(token?: string): void {
    if (token === undefined || this.#current?.token === token) {
      if (this.#current) this.#rejected = true;
      this.#current = undefined;
    }
  }

  /** Keep the token fresh in the background (the server); the CLI never starts this. */
  start(): void {
    this.#running = true;
    if (this.#current)
      this.#schedule(refreshDelayMs(this.#current.refreshIn) - (this.#now() - this.#current.receivedAt));
    else this.#schedule(0);
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  state(): TokenState {
    const t = this.#current;
    return {
      ready: t !== undefined && this.#now() < t.receivedAt + t.refreshIn * 1000,
      expiresAt: t?.expiresAt,
      refreshInMs: t ? Math.max(0, t.receivedAt + refreshDelayMs(t.refreshIn) - this.#now()) : undefined,
      apiUrl: t?.apiUrl,
      sku: t?.sku,
      lastError: this.#lastError,
    };
  }

  #refresh(): Promise<CopilotToken> {
    if (this.#inflight) return this.#inflight;
    this.#exchanges++;
    const reason: TokenRequestReason = this.#rejected
      ? "rejected"
      : this.#exchanges === 1
        ? "initial"
        : "refresh";
    this.#rejected = false;
    const run = this.#options
      .exchange(reason)
      .then((token) => {
        this.#current = token;
        this.#lastError = undefined;
        this.#options.onRefresh?.(token);
        if (this.#running)
          this.#schedule(Math.max(MIN_BACKGROUND_REFRESH_MS, refreshDelayMs(token.refreshIn)));
        return token;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    this.#inflight = run;
    return run;
  }

  #schedule(delayMs: number, attempt = 0): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#refresh().catch((error: unknown) => {
          this.#lastError = error;
          const base = this.#options.retryBaseMs ?? 1000;
          const next = Math.min(this.#options.retryMaxMs ?? 60_000, base * 2 ** attempt);
          this.#options.onRefreshError?.(error, attempt + 1, next);
          this.#schedule(next, attempt + 1);
        });
      },
      Math.max(0, delayMs),
    );
    // A finished CLI must be able to exit while a refresh is planned.
    this.#timer.unref();
  }
}
