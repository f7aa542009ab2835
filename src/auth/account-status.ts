import type { Dispatcher } from "undici";
import type { Settings } from "../config/settings.js";
import { exchangeCopilotToken } from "../copilot/exchange-token.js";
import { fetchCopilotUsage } from "../copilot/usage.js";
import { type GitHubToken, maskToken } from "./github-token.js";
import { fetchGitHubUser } from "./github-user.js";

/** What `status` shows and `login` confirms. Never contains a token, only a masked hint of one. */
export interface AccountStatus {
  host: string;
  login: string;
  /** Where the GitHub token came from: flag, an env variable name, stored, … */
  tokenSource: GitHubToken["origin"];
  /** The same, readable: "GH_TOKEN", "the stored login (/path)". */
  tokenSourceLabel: string;
  /** e.g. `gho_****abcd`. */
  tokenMasked: string;
  sku: string | undefined;
  /** `copilot_plan` from `/copilot_internal/user` (free, individual, business, enterprise), when it answered. */
  plan: string | undefined;
  copilotApiUrl: string;
  /** ISO time the Copilot token expires, as the server said. */
  expiresAt: string;
  /** Seconds until the server wants a refresh. */
  refreshIn: number;
  chatEnabled: boolean | undefined;
  /** An SSO organisation still waiting for this token to be authorized (`X-GitHub-SSO`). */
  ssoUrl: string | undefined;
}

export interface AccountStatusOptions {
  settings: Settings;
  githubToken: GitHubToken;
  dispatcher: Dispatcher;
  signal?: AbortSignal | undefined;
}

/**
 * Ask GitHub who the token belongs to, exchange it once for a Copilot token and read the plan, in parallel. Throws the typed,
 * source-naming error of the first step that fails (the exchange's is the more telling one).
 */
export async function getAccountStatus(options: AccountStatusOptions): Promise<AccountStatus> {
  const { settings, githubToken, dispatcher, signal } = options;
  const common = {
    endpoints: settings.endpoints,
    identity: settings.identity,
    dispatcher,
    githubToken,
    signal,
  };
  const [user, copilot, usage] = await Promise.allSettled([
    fetchGitHubUser(common),
    exchangeCopilotToken(common),
    fetchCopilotUsage(common),
  ]);
  if (copilot.status === "rejected") throw copilot.reason;
  if (user.status === "rejected") throw user.reason;
  const token = copilot.value;
  return {
    host: settings.endpoints.host,
    login: user.value.login,
    tokenSource: githubToken.origin,
    tokenSourceLabel: githubToken.label,
    tokenMasked: maskToken(githubToken.value),
    sku: token.sku,
    // The plan is a display extra: its endpoint failing must not fail a sign-in the exchange just confirmed.
    plan: usage.status === "fulfilled" ? usage.value.copilot_plan : undefined,
    copilotApiUrl: token.apiUrl,
    expiresAt: new Date(token.expiresAt * 1000).toISOString(),
    refreshIn: token.refreshIn,
    chatEnabled: token.chatEnabled,
    ssoUrl: user.value.ssoUrl,
  };
}
