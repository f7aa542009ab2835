import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Settings } from "../config/settings.js";
import { EXIT_CODES, GatewayError } from "../errors.js";
import type { GitHubToken } from "./github-token.js";

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

/** Path of the stored login for a host (one file per host inside the 0700 state directory). */
export function storedTokenPath(homeDir: string, host: string): string {
  return join(homeDir, "tokens", `${host.replace(/[^a-z0-9.-]/gi, "_")}.json`);
}

/**
 * The GitHub token to use, by precedence: --github-token, COPILOT_GITHUB_TOKEN, GH_TOKEN, GITHUB_TOKEN, the stored
 * login. Throws NotSignedInError when there is none (never starts a device flow by itself).
 */
export function resolveGitHubToken(settings: Settings, env: NodeJS.ProcessEnv = process.env): GitHubToken {
  if (settings.githubTokenFlag)
    return { value: settings.githubTokenFlag, origin: "flag", label: "--github-token" };
  for (const name of ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"] as const) {
    const value = env[name]?.trim();
    if (value) return { value, origin: name, label: name };
  }
  const path = storedTokenPath(settings.homeDir, settings.endpoints.host);
  if (existsSync(path)) {
    const data = JSON.parse(readFileSync(path, "utf8")) as { token?: unknown };
    if (typeof data.token === "string" && data.token) {
      return { value: data.token, origin: "stored", label: `the stored login (${path})` };
    }
  }
  throw new NotSignedInError(settings.endpoints.host);
}
