import type { Dispatcher } from "undici";
import type { Settings } from "../config/settings.js";
import type { CopilotToken } from "../copilot/copilot-token.js";
import { fetchCopilotUsage } from "../copilot/usage.js";
import type { BilledTo, CopilotCredential, CredentialMode } from "../credentials/copilot-credential.js";
import { createUserTokenCredential } from "../credentials/user-token-credential.js";
import type { GitHubToken } from "./github-token.js";
import { fetchGitHubUser, type GitHubUser } from "./github-user.js";

/** What `status` shows and `login` confirms. Never contains a token, only a masked hint of one. */
export interface AccountStatus {
  host: string;
  /** The GitHub login; undefined in modes that have no user (an App installation, a Copilot token). */
  login: string | undefined;
  /** How Copilot is reached: device-login, user-token, fine-grained-pat, app-installation, actions-token, copilot-token. */
  mode: CredentialMode;
  /** e.g. "device login", "App installation 42 of app 7". */
  modeDescription: string;
  billedTo: BilledTo;
  /** e.g. "the user's Copilot seat", "the organization that installed the App". */
  billing: string;
  /** "exchanged" (a Copilot token), "direct" (the GitHub token is the bearer) or "copilot-token" (given as is). */
  bearer: "exchanged" | "direct" | "copilot-token";
  /** Where the credential came from: flag, an env variable name, stored, github-app, copilot-token, … */
  tokenSource: string;
  /** The same, readable: "GH_TOKEN", "the stored login (/path)". */
  tokenSourceLabel: string;
  /** e.g. `gho_****abcd`; undefined for an App (its tokens are minted, never given). */
  tokenMasked: string | undefined;
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
  /** The credential to check; or `githubToken` for a plain GitHub token (sign-in, import). */
  credential?: CopilotCredential | undefined;
  githubToken?: GitHubToken | undefined;
  dispatcher: Dispatcher;
  signal?: AbortSignal | undefined;
}

/** Modes whose GitHub token belongs to a person, so `/user` can say who. */
const USER_MODES: ReadonlySet<CredentialMode> = new Set(["device-login", "user-token", "fine-grained-pat"]);

/**
 * Obtain a Copilot token once with the credential, ask GitHub who the token belongs to and read the plan, in
 * parallel where the mode allows. Throws the typed, source-naming error of the first step that fails (the Copilot
 * token's is the more telling one).
 */
export async function getAccountStatus(options: AccountStatusOptions): Promise<AccountStatus> {
  const { settings, dispatcher, signal } = options;
  const credential =
    options.credential ??
    createUserTokenCredential({ settings, dispatcher, githubToken: options.githubToken as GitHubToken });
  const mode = credential.describe().mode;
  const githubToken = await credential.githubToken(signal);
  const common = githubToken && {
    endpoints: settings.endpoints,
    identity: settings.identity,
    dispatcher,
    githubToken,
    signal,
  };
  const [user, copilot, usage] = await Promise.allSettled([
    common && USER_MODES.has(mode) ? fetchGitHubUser(common) : Promise.resolve(undefined),
    credential.copilotToken({ reason: "initial", signal }),
    common && mode !== "app-installation" && mode !== "actions-token"
      ? fetchCopilotUsage(common)
      : Promise.resolve(undefined),
  ]);
  if (copilot.status === "rejected") throw copilot.reason;
  if (user.status === "rejected") throw user.reason;
  const token: CopilotToken = copilot.value;
  const info = credential.describe();
  const found: GitHubUser | undefined = user.value;
  return {
    host: settings.endpoints.host,
    login: found?.login,
    mode: info.mode,
    modeDescription: info.description,
    billedTo: info.billedTo,
    billing: info.billing,
    bearer: token.bearer ?? "exchanged",
    tokenSource: githubToken?.origin ?? info.mode,
    tokenSourceLabel: info.source,
    tokenMasked: info.tokenMasked,
    sku: token.sku,
    // The plan is a display extra: its endpoint failing must not fail a sign-in the exchange just confirmed.
    plan: usage.status === "fulfilled" ? usage.value?.copilot_plan : undefined,
    copilotApiUrl: token.apiUrl,
    expiresAt: new Date(token.expiresAt * 1000).toISOString(),
    refreshIn: token.refreshIn,
    chatEnabled: token.chatEnabled,
    ssoUrl: found?.ssoUrl,
  };
}
