import type { Dispatcher } from "undici";
import type { Settings } from "../config/settings.js";
import { type AccountStatus, getAccountStatus } from "./account-status.js";
import type { GitHubToken } from "./github-token.js";
import { saveGitHubToken } from "./token-store.js";

export interface CompleteSignInOptions {
  settings: Settings;
  dispatcher: Dispatcher;
  /** The GitHub token obtained (device flow) or found (import). */
  token: string;
  /** "device-flow" (default) or "import:<path>"; recorded in the token file. */
  source?: string | undefined;
  /** How messages name the token before it is stored, e.g. "GitHub Copilot's apps.json (…)". */
  label?: string | undefined;
  /**
   * Check with GitHub and Copilot before storing (imports: a stale token should not replace nothing). Otherwise the
   * token is stored first, so a failing check never costs the user a second sign-in.
   */
  verifyBeforeSaving?: boolean | undefined;
  /** GitHub App user tokens: seconds until expiry, and the refresh token. */
  expiresIn?: number | undefined;
  refreshToken?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Told the path once the token is on disk (before the checks finish). */
  onSaved?: ((path: string) => void) | undefined;
  warn?: ((message: string) => void) | undefined;
}

export interface CompletedSignIn {
  /** The token file written. */
  path: string;
  status: AccountStatus;
}

/**
 * Finish a sign-in: store the token for the settings' host and confirm it against GitHub (`/user`) and Copilot (the
 * exchange). Shared by `login` and the web page. Throws the typed, source-naming error of a failed check; with
 * `verifyBeforeSaving` nothing is stored then.
 */
export async function completeSignIn(options: CompleteSignInOptions): Promise<CompletedSignIn> {
  const { settings, dispatcher, signal } = options;
  const location = { homeDir: settings.homeDir, host: settings.endpoints.host, warn: options.warn };
  const record = {
    token: options.token,
    source: options.source ?? "device-flow",
    expiresAt:
      options.expiresIn === undefined
        ? undefined
        : new Date(Date.now() + options.expiresIn * 1000).toISOString(),
    refreshToken: options.refreshToken,
  };
  const check = (githubToken: GitHubToken) => getAccountStatus({ settings, githubToken, dispatcher, signal });

  if (options.verifyBeforeSaving) {
    const status = await check({
      value: options.token,
      origin: "import",
      label: options.label ?? "the token to import",
    });
    const path = saveGitHubToken(location, { ...record, login: status.login });
    options.onSaved?.(path);
    return { path, status };
  }
  const path = saveGitHubToken(location, record);
  options.onSaved?.(path);
  const status = await check({ value: options.token, origin: "stored", label: `the stored login (${path})` });
  saveGitHubToken(location, { ...record, login: status.login });
  return { path, status };
}
