import { AbortedError, isGatewayError } from "../errors.js";
import { redactSecrets } from "../util/redact.js";
import type { SignInState } from "./page-types.js";

/** What GitHub answered to step 1 of the device flow, as far as the page needs it. */
export interface DeviceCodeGrant {
  userCode: string;
  verificationUri: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

export interface SignInSteps<Grant extends DeviceCodeGrant, Token> {
  /** Step 1: ask GitHub for a device code. */
  requestCode(signal: AbortSignal): Promise<Grant>;
  /** Step 2: poll until GitHub answers with a token; throws the flow's typed error (expired, denied…). */
  waitForToken(grant: Grant, signal: AbortSignal): Promise<Token>;
  /** Store the token and open the Copilot session; a failure here (no seat…) fails the sign-in too. */
  complete(token: Token, signal: AbortSignal): Promise<void>;
}

export interface SignInCoordinatorOptions<Grant extends DeviceCodeGrant, Token>
  extends SignInSteps<Grant, Token> {
  /** Wall clock in ms, injectable for tests. */
  now?: () => number;
  /** Told about each failure, e.g. to log it (the message never contains a token). */
  onFailure?: (error: unknown) => void;
}

/** Where the CLI's messages say "run `copilot-gateway login`", the page has its own retry button. */
const PAGE_MESSAGES: Record<string, string> = {
  expired_token: "The code expired before it was entered on GitHub. Try again for a new code.",
  access_denied: "Sign-in was cancelled on GitHub (access denied). Try again when you are ready.",
  incorrect_device_code: "GitHub no longer recognises this sign-in code. Try again for a new code.",
};

/** Stable code and one-line message for a failure the page shows. */
export function describeSignInFailure(error: unknown): { code: string; message: string } {
  if (isGatewayError(error))
    return { code: error.code, message: PAGE_MESSAGES[error.code] ?? redactSecrets(error.message) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: "unexpected", message: redactSecrets(`Sign-in failed unexpectedly: ${message}`) };
}

/**
 * Runs the browser sign-in on the server: one device flow at a time, its progress readable at any moment by the
 * page's polling. Starting while a flow runs returns that flow; cancel/reset abort it. The state lives in the
 * instance (one per gateway), never in the module.
 */
export class SignInCoordinator<Grant extends DeviceCodeGrant = DeviceCodeGrant, Token = unknown> {
  readonly #options: SignInCoordinatorOptions<Grant, Token>;
  readonly #now: () => number;
  #state: SignInState = { status: "idle" };
  #abort: AbortController | undefined;
  #running: Promise<void> | undefined;

  constructor(options: SignInCoordinatorOptions<Grant, Token>) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  state(): SignInState {
    return this.#state;
  }

  /** True while a flow is between its first request and its end. */
  get busy(): boolean {
    const s = this.#state.status;
    return s === "starting" || s === "pending" || s === "completing";
  }

  /**
   * Start a device flow, or return the one already running. Resolves once GitHub has handed out the user code
   * (or the start failed), so the caller can show the code at once.
   */
  async start(): Promise<SignInState> {
    if (!this.busy) {
      const abort = new AbortController();
      this.#abort = abort;
      this.#state = { status: "starting" };
      let codeShown!: () => void;
      const shown = new Promise<void>((resolve) => {
        codeShown = resolve;
      });
      const run = this.#run(abort, codeShown);
      this.#running = run;
      void run.finally(() => {
        if (this.#running === run) this.#running = undefined;
      });
      await Promise.race([shown, run]);
    }
    return this.#state;
  }

  /** Abort the running flow, if any, and go back to idle. */
  cancel(): SignInState {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#state = { status: "idle" };
    return this.#state;
  }

  /** After sign-out: forget a finished flow so the page offers a fresh sign-in. */
  reset(): void {
    this.cancel();
  }

  /** Stop everything (server shutdown) and wait for the running flow to unwind. */
  async close(): Promise<void> {
    this.cancel();
    await this.#running?.catch(() => undefined);
  }

  async #run(abort: AbortController, codeShown: () => void): Promise<void> {
    const { signal } = abort;
    // Each step re-checks that this flow is still the current one: a cancelled flow must not overwrite state.
    const current = () => this.#abort === abort && !signal.aborted;
    try {
      const grant = await this.#options.requestCode(signal);
      if (!current()) return;
      this.#state = {
        status: "pending",
        userCode: grant.userCode,
        verificationUri: grant.verificationUri,
        expiresAt: this.#now() + grant.expiresIn * 1000,
      };
      codeShown();
      const token = await this.#options.waitForToken(grant, signal);
      if (!current()) return;
      this.#state = { status: "completing" };
      await this.#options.complete(token, signal);
      if (!current()) return;
      this.#state = { status: "succeeded" };
    } catch (error) {
      if (!current() || error instanceof AbortedError) return;
      this.#options.onFailure?.(error);
      this.#state = { status: "failed", error: describeSignInFailure(error) };
    } finally {
      codeShown();
      if (this.#abort === abort) this.#abort = undefined;
    }
  }
}
