import type { Dispatcher } from "undici";
import type { GitHubToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import { exchangeCopilotToken, TokenExchangeError } from "../copilot/exchange-token.js";
import { EXIT_CODES } from "../errors.js";
import type { CopilotCredential, CredentialInfo } from "./copilot-credential.js";
import type { GitHubAppConfig } from "./github-app/app-config.js";
import {
  type InstallationTokenShare,
  InstallationTokenSource,
} from "./github-app/installation-token-source.js";

export interface GitHubAppCredentialOptions {
  settings: Settings;
  dispatcher: Dispatcher;
  app: GitHubAppConfig;
  /** Told once about clock drift seen in GitHub's Date header. */
  warn?: ((message: string) => void) | undefined;
  /** Monotonic and wall clocks, backoff: see InstallationTokenSource. */
  now?: (() => number) | undefined;
  wallClock?: (() => number) | undefined;
  backoffBaseMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  /** Installation tokens shared with other processes (the team gateway's replicas on Redis). */
  shareInstallationToken?: InstallationTokenShare | undefined;
}

/** A GitHub App credential also exposes its installation-token layer (for diagnostics and tests). */
export interface GitHubAppCredential extends CopilotCredential {
  readonly installationTokens: InstallationTokenSource;
}

/**
 * A GitHub App installation billed to the organisation (spec §9): App JWT → one-hour `ghs_` installation token →
 * the Copilot exchange. Both layers are renewed ahead of expiry: the installation token 60 s before its end, and the
 * Copilot token's refresh is brought forward so it never outlives the installation token it came from.
 */
export function createGitHubAppCredential(options: GitHubAppCredentialOptions): GitHubAppCredential {
  const { settings, dispatcher, app } = options;
  const installationTokens = new InstallationTokenSource({
    app,
    endpoints: settings.endpoints,
    identity: settings.identity,
    dispatcher,
    warn: options.warn,
    now: options.now,
    wallClock: options.wallClock,
    backoffBaseMs: options.backoffBaseMs,
    backoffMaxMs: options.backoffMaxMs,
    share: options.shareInstallationToken,
  });
  const label = `GitHub App ${app.appId}, installation ${app.installationId} (${app.names.appId})`;
  let bearer: CredentialInfo["bearer"];
  const asGitHubToken = (value: string): GitHubToken => ({ value, origin: "github-app", label });

  /** One exchange of the current installation token; a 401 is returned with the token it refused. */
  const exchange = async (signal?: AbortSignal) => {
    const ghs = await installationTokens.get(signal);
    try {
      const token = await exchangeCopilotToken({
        endpoints: settings.endpoints,
        identity: settings.identity,
        dispatcher,
        githubToken: asGitHubToken(ghs.token),
        signal,
      });
      return { token, refused: undefined };
    } catch (error) {
      if (error instanceof TokenExchangeError && error.httpStatus === 401)
        return { token: undefined, refused: { error, ghs: ghs.token } };
      throw appRefused(error, app);
    }
  };

  return {
    installationTokens,
    describe: () => ({
      mode: "app-installation",
      description: `App installation ${app.installationId} of app ${app.appId}`,
      billedTo: "organization",
      billing: "the organization that installed the App",
      source: label,
      tokenMasked: undefined,
      identity: `github-app:${app.appId}:${app.installationId}`,
      bearer,
      appId: app.appId,
      installationId: app.installationId,
    }),
    async githubToken(signal) {
      return asGitHubToken((await installationTokens.get(signal)).token);
    },
    async copilotToken({ signal }) {
      let { token, refused } = await exchange(signal);
      if (refused) {
        // The installation token may have died before its announced end (revoked, key rotated): mint once more.
        installationTokens.invalidate(refused.ghs);
        ({ token, refused } = await exchange(signal));
      }
      if (!token) throw appRefused(refused?.error, app);
      bearer = "exchanged";
      // Never let the Copilot token outlive the installation token it was exchanged for.
      const installationLeft = installationTokens.remainingMs() / 1000;
      return {
        ...token,
        refreshIn: Math.max(1, Math.min(token.refreshIn, installationLeft)),
        bearer: "exchanged",
      };
    },
  };
}

/** Step 4 failures (spec §9), each with the setting that fixes it; other errors pass through. */
function appRefused(error: unknown, app: GitHubAppConfig): unknown {
  if (!(error instanceof TokenExchangeError) || error.code === "sso_required") return error;
  const which = `installation ${app.installationId} of GitHub App ${app.appId}`;
  if (error.httpStatus === 401)
    return new TokenExchangeError(
      "org_disallows_app_copilot",
      `The Copilot token exchange refused ${which} (HTTP 401): the organization does not allow GitHub App installations to use Copilot; an organization owner must turn on the Copilot policy allowing requests from GitHub App installations (billed to the organization).`,
      { httpStatus: 401, exitCode: EXIT_CODES.noCopilotAccess },
    );
  if (error.httpStatus === 403 || error.httpStatus === 404)
    return new TokenExchangeError(
      "app_lacks_copilot_permission",
      `The Copilot token exchange refused ${which} (HTTP ${error.httpStatus}): the installation lacks the organization permission "Copilot Requests" (write) or access to All repositories; grant both in the App's settings and accept them on the installation (${app.names.installationId}).`,
      { httpStatus: error.httpStatus, exitCode: EXIT_CODES.noCopilotAccess },
    );
  return error;
}
