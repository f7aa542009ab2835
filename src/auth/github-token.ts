/** Where a GitHub token came from; every error about a token names it (issue #2, precedence). */
export type GitHubTokenOrigin =
  | "flag"
  | "COPILOT_GITHUB_TOKEN"
  | "GH_TOKEN"
  | "GITHUB_TOKEN"
  | "stored"
  | "device-flow"
  | "import";

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
  return `${prefix}****${token.slice(-4)}`;
}
