/** Where a GitHub token came from; every error about a token names it (issue #2, precedence). */
export type GitHubTokenOrigin =
  | "flag"
  | "COPILOT_GITHUB_TOKEN"
  | "GH_TOKEN"
  | "GITHUB_TOKEN"
  | "stored"
  | "device-flow"
  | "import"
  /** A GitHub App installation token this gateway minted. */
  | "github-app";

export interface GitHubToken {
  value: string;
  origin: GitHubTokenOrigin;
  /** Human-readable source used in messages, e.g. "GH_TOKEN" or "the stored login (~/.local/share/…)". */
  label: string;
}

/** Mask a secret for display: keep the prefix that tells its kind and the last four characters. */
export function maskToken(token: string): string {
  if (token.length <= 8) return "****";
  const prefix = /^(gh[opsu]_|github_pat_)/.exec(token)?.[0] ?? "";
  // Four characters of a real token (36+ random ones) say which it is; of a short one they give most of it away.
  if (token.length - prefix.length < 16) return `${prefix}****`;
  return `${prefix}****${token.slice(-4)}`;
}

/** What kind of credential a token looks like, by its documented prefix; used to explain a failed exchange. */
export function describeTokenKind(token: string): string | undefined {
  if (token.startsWith("ghp_")) return "a classic personal access token (ghp_)";
  if (token.startsWith("github_pat_")) return "a fine-grained personal access token (github_pat_)";
  if (token.startsWith("ghs_")) return "a GitHub Actions or app installation token (ghs_)";
  if (token.startsWith("gho_")) return "an OAuth token (gho_)";
  if (token.startsWith("ghu_")) return "a GitHub App user token (ghu_)";
  return undefined;
}

/** For tokens from the flag or an env variable: how to let the stored login be used instead. */
export function overrideHint(token: GitHubToken): string {
  if (token.origin === "flag") return " (drop --github-token to use the stored login)";
  if (
    token.origin === "COPILOT_GITHUB_TOKEN" ||
    token.origin === "GH_TOKEN" ||
    token.origin === "GITHUB_TOKEN"
  )
    return ` (or unset ${token.origin}, which takes precedence over the stored login)`;
  return "";
}
