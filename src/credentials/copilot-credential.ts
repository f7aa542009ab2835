import type { GitHubToken } from "../auth/github-token.js";
import type { CopilotToken } from "../copilot/copilot-token.js";

/** How a credential reaches Copilot (spec §9). Shown by `status`, `status --json` and the page. */
export type CredentialMode =
  /** The stored device-flow login (or an imported one): a gho_/ghu_ user token. */
  | "device-login"
  /** A gho_/ghu_ user token given by --github-token or an env variable (e.g. the GitHub CLI's). */
  | "user-token"
  | "fine-grained-pat"
  /** A GitHub App installation this gateway mints tokens for (--github-app-*). */
  | "app-installation"
  /** An Actions GITHUB_TOKEN (or any ghs_ installation token handed to us). */
  | "actions-token"
  /** A Copilot token used as is (GITHUB_COPILOT_API_TOKEN). */
  | "copilot-token";

/** Whose Copilot the requests are billed to. */
export type BilledTo = "user" | "organization" | "token-issuer";

/** Why a Copilot token is asked for: first use, a planned refresh, or Copilot just rejected the last one (401). */
export type TokenRequestReason = "initial" | "refresh" | "rejected";

/** What `status`, the page and the logs say about a credential. Never a secret, only a masked hint. */
export interface CredentialInfo {
  mode: CredentialMode;
  /** e.g. "device login", "fine-grained PAT", "App installation 42 of app 7", "Actions token", "direct Copilot token". */
  description: string;
  billedTo: BilledTo;
  /** e.g. "the user's Copilot seat", "the organization that installed the App". */
  billing: string;
  /** Where the credential came from: "GH_TOKEN", "the stored login (/path)", "--github-app-id …". */
  source: string;
  /** e.g. `github_pat_****abcd`; undefined for an App (its tokens are minted). */
  tokenMasked: string | undefined;
  /**
   * How the Copilot API is reached: an exchanged Copilot token, the GitHub token itself as the bearer (direct), or
   * a given Copilot token. Undefined until the first token was obtained.
   */
  bearer: "exchanged" | "direct" | "copilot-token" | undefined;
  /**
   * A stable secret that tells identities apart (hashed, never shown): the GitHub or Copilot token, or for an App
   * `github-app:ID:INSTALLATION`. Keys per-identity state such as the last seen limits.
   */
  identity: string;
  /** App mode only. */
  appId?: string | undefined;
  installationId?: string | undefined;
}

/**
 * One way of reaching Copilot: yields a Copilot bearer with its base URL, and (when the mode has one) a GitHub token
 * for GitHub's REST API (`/user`, `copilot_internal/user`). The session's token manager decides when to ask; a
 * credential never refreshes on its own timer. Built by `createCopilotCredential()` from a `CredentialSource`; the
 * team gateway builds one per person and one for the organisation's App.
 */
export interface CopilotCredential {
  describe(): CredentialInfo;
  /** A Copilot token to use now (exchanging, minting or probing as the mode requires). Throws a one-line typed error. */
  copilotToken(request: {
    reason: TokenRequestReason;
    signal?: AbortSignal | undefined;
  }): Promise<CopilotToken>;
  /** The GitHub token for REST calls; undefined when the mode has none (a direct Copilot token). */
  githubToken(signal?: AbortSignal): Promise<GitHubToken | undefined>;
}
