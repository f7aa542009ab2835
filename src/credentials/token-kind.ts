import { EXIT_CODES, GatewayError } from "../errors.js";

/** What a token is, told by its documented prefix alone (spec §9), before any network call. */
export type TokenKind =
  | "oauth-user" // gho_: an OAuth app's user token (device flow, the GitHub CLI)
  | "app-user" // ghu_: a GitHub App's user token
  | "fine-grained-pat" // github_pat_
  | "installation" // ghs_: a GitHub App installation token or the Actions GITHUB_TOKEN
  | "classic-pat" // ghp_: never accepted by Copilot
  | "copilot-token" // tid=…: a Copilot token itself
  | "unknown";

export function diagnoseTokenKind(token: string): TokenKind {
  if (token.startsWith("gho_")) return "oauth-user";
  if (token.startsWith("ghu_")) return "app-user";
  if (token.startsWith("github_pat_")) return "fine-grained-pat";
  if (token.startsWith("ghs_")) return "installation";
  if (token.startsWith("ghp_")) return "classic-pat";
  if (token.startsWith("tid=")) return "copilot-token";
  return "unknown";
}

/** How messages name each kind. */
export const TOKEN_KIND_NAMES: Record<TokenKind, string> = {
  "oauth-user": "an OAuth token (gho_)",
  "app-user": "a GitHub App user token (ghu_)",
  "fine-grained-pat": "a fine-grained personal access token (github_pat_)",
  installation: "a GitHub Actions or App installation token (ghs_)",
  "classic-pat": "a classic personal access token (ghp_)",
  "copilot-token": "a Copilot token (tid=…)",
  unknown: "a token of no known GitHub kind",
};

/** What works instead, for any message that has to refuse a token. */
export const WHAT_WORKS =
  "`copilot-gateway login` (device flow), a fine-grained PAT with the Copilot Requests permission, or a GitHub App installation (--github-app-id …)";

/** A token Copilot never accepts, refused before anything is sent. */
export class UnusableTokenError extends GatewayError {
  constructor(code: string, message: string) {
    super(code, message, { exitCode: EXIT_CODES.tokenRejected, status: 401 });
  }
}

/**
 * Refuse at once what can never work: a classic PAT (ghp_), or a Copilot token given where a GitHub token is
 * expected. `label` names where the token came from.
 */
export function assertUsableGitHubToken(token: string, label: string): TokenKind {
  const kind = diagnoseTokenKind(token);
  if (kind === "classic-pat")
    throw new UnusableTokenError(
      "classic_pat_unsupported",
      `the token from ${label} is a classic personal access token (ghp_), which Copilot never accepts; use ${WHAT_WORKS} instead.`,
    );
  if (kind === "copilot-token")
    throw new UnusableTokenError(
      "copilot_token_in_github_slot",
      `the token from ${label} is a Copilot token (tid=…), not a GitHub token; pass it as GITHUB_COPILOT_API_TOKEN (with COPILOT_API_URL) instead.`,
    );
  return kind;
}
