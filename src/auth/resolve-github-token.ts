import type { Settings } from "../config/settings.js";
import { EXIT_CODES, GatewayError, UsageError } from "../errors.js";
import type { GitHubToken } from "./github-token.js";
import { readStoredGitHubToken, storedTokenPath } from "./token-store.js";

export { storedTokenPath } from "./token-store.js";

/** The environment variables that carry a GitHub token, highest precedence first (after `--github-token`). */
export const GITHUB_TOKEN_ENV_VARS = ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"] as const;

/** No GitHub token from any source. */
export class NotSignedInError extends GatewayError {
  constructor(host: string) {
    super(
      "not_signed_in",
      `No GitHub token for ${host}: run \`copilot-gateway login\`, or set COPILOT_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN), or pass --github-token.`,
      { exitCode: EXIT_CODES.notSignedIn, status: 401 },
    );
  }
}

/**
 * A token from the flag or a variable, trimmed. GitHub tokens are printable ASCII without spaces; anything else
 * (a CRLF from a Windows file, two tokens pasted together) would otherwise surface as a baffling transport error.
 */
function fromUser(
  value: string | undefined,
  origin: GitHubToken["origin"],
  label: string,
): GitHubToken | undefined {
  const token = value?.trim();
  if (!token) return undefined;
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new UsageError(
      `the token from ${label} contains spaces, line breaks or other characters no GitHub token has; set it to the token alone.`,
      "invalid_github_token",
    );
  return { value: token, origin, label };
}

export interface ResolveGitHubTokenOptions {
  /** Told when the stored login's file had looser permissions and was tightened. */
  warn?: ((message: string) => void) | undefined;
  /** Wall clock (ms) for the expiry of stored GitHub App user tokens. */
  now?: (() => number) | undefined;
}

/**
 * The GitHub token to use, by precedence: --github-token, COPILOT_GITHUB_TOKEN, GH_TOKEN, GITHUB_TOKEN, the stored
 * login for the host. Synchronous and side-effect free apart from tightening a too-open token file. Throws
 * NotSignedInError at once when there is none: it never starts a device flow by itself, so nothing ever waits for
 * a code nobody sees. (The full precedence, with GitHub Apps and Copilot tokens, is resolveCredentialSource's.)
 */
export function resolveGitHubToken(
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env,
  options: ResolveGitHubTokenOptions = {},
): GitHubToken {
  return (
    readGitHubTokenFromSources(settings, env, { ...options, only: "flag" }) ??
    (readGitHubTokenFromSources(settings, env, { ...options, only: "rest" }) as GitHubToken)
  );
}

/**
 * One part of the precedence: `flag` gives --github-token or undefined; `rest` gives the env variables, then the
 * stored login, and throws NotSignedInError when none holds a token.
 */
export function readGitHubTokenFromSources(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  options: ResolveGitHubTokenOptions & { only: "flag" | "rest" },
): GitHubToken | undefined {
  if (options.only === "flag") return fromUser(settings.githubTokenFlag, "flag", "--github-token");
  for (const name of GITHUB_TOKEN_ENV_VARS) {
    const token = fromUser(env[name], name, name);
    if (token) return token;
  }
  const host = settings.endpoints.host;
  const stored = readStoredGitHubToken({ homeDir: settings.homeDir, host, warn: options.warn });
  if (stored) {
    // GitHub App user tokens carry an expiry; refreshing them needs the app's client secret, which a device-flow
    // client does not have, so an expired one means signing in again.
    const expiresAt = stored.expiresAt ? Date.parse(stored.expiresAt) : Number.NaN;
    if (expiresAt <= (options.now ?? Date.now)()) {
      throw new GatewayError(
        "stored_token_expired",
        `The stored login for ${host} expired at ${stored.expiresAt}; run \`copilot-gateway login --force\` to sign in again.`,
        { exitCode: EXIT_CODES.notSignedIn, status: 401 },
      );
    }
    return {
      value: stored.token,
      origin: "stored",
      label: `the stored login (${storedTokenPath(settings.homeDir, host)})`,
    };
  }
  throw new NotSignedInError(host);
}
