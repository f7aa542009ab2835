import type { GitHubToken } from "../auth/github-token.js";
import { readGitHubTokenFromSources } from "../auth/resolve-github-token.js";
import type { Settings } from "../config/settings.js";
import { UsageError } from "../errors.js";
import type { CredentialSource } from "./credential-source.js";
import { resolveGitHubAppConfig } from "./github-app/app-config.js";
import { assertUsableGitHubToken } from "./token-kind.js";

/** The official SDK's names for a ready Copilot token and its base URL (spec §9). */
export const COPILOT_TOKEN_ENV = "GITHUB_COPILOT_API_TOKEN";
export const COPILOT_API_URL_ENV = "COPILOT_API_URL";

/** The precedence, highest first, as `status` and the README state it. */
export const CREDENTIAL_PRECEDENCE = [
  "--github-token",
  "GitHub App credentials (--github-app-* / COPILOT_GATEWAY_GITHUB_APP_*)",
  "a direct Copilot token (GITHUB_COPILOT_API_TOKEN with COPILOT_API_URL)",
  "COPILOT_GITHUB_TOKEN",
  "GH_TOKEN",
  "GITHUB_TOKEN",
  "the stored login",
] as const;

export interface ResolveCredentialOptions {
  warn?: ((message: string) => void) | undefined;
  now?: (() => number) | undefined;
}

function checked(token: GitHubToken): GitHubToken {
  assertUsableGitHubToken(token.value, token.label);
  return token;
}

/**
 * The credential to use, by precedence: --github-token > GitHub App credentials > a direct Copilot token >
 * COPILOT_GITHUB_TOKEN > GH_TOKEN > GITHUB_TOKEN > the stored login. No network call: a token's kind is told by its
 * prefix, and one Copilot never accepts (ghp_) is refused here. Throws NotSignedInError when there is nothing.
 */
export function resolveCredentialSource(
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env,
  options: ResolveCredentialOptions = {},
): CredentialSource {
  const tokenFrom = (only: "flag" | "rest") =>
    readGitHubTokenFromSources(settings, env, { ...options, only });
  const flag = tokenFrom("flag");
  if (flag) return { kind: "github-token", token: checked(flag) };
  const app = resolveGitHubAppConfig(settings.githubApp ?? {}, env);
  if (app) return { kind: "github-app", app };
  const copilotToken = env[COPILOT_TOKEN_ENV]?.trim();
  if (copilotToken) {
    if (/\s/.test(copilotToken))
      throw new UsageError(
        `${COPILOT_TOKEN_ENV} contains spaces or line breaks; set it to the token alone.`,
        "invalid_copilot_token",
      );
    const apiUrl = env[COPILOT_API_URL_ENV]?.trim();
    if (apiUrl && !/^https?:\/\/[^\s]+$/.test(apiUrl))
      throw new UsageError(`${COPILOT_API_URL_ENV} must be an http(s) URL, got "${apiUrl}".`, "invalid_url");
    return {
      kind: "copilot-token",
      token: copilotToken,
      apiUrl: apiUrl || undefined,
      label: COPILOT_TOKEN_ENV,
    };
  }
  const token = tokenFrom("rest");
  // readGitHubTokenFromSources throws NotSignedInError when nothing is found.
  return { kind: "github-token", token: checked(token as GitHubToken) };
}
