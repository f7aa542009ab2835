import type { AccountStatus } from "../auth/account-status.js";
import { completeSignIn } from "../auth/complete-sign-in.js";
import { pollDeviceFlow } from "../auth/device-flow/poll-device-flow.js";
import { startDeviceFlow } from "../auth/device-flow/start-device-flow.js";
import { deleteStoredGitHubToken, storedTokenPath } from "../auth/token-store.js";
import { resolveSettings } from "../config/settings.js";
import { createDispatcher } from "../http/dispatcher.js";

/** Where and how to sign in: the same settings as the CLI's `login`. */
export interface SignInOptions {
  /** `github.com` (default, or `COPILOT_GATEWAY_GITHUB_HOST`) or a `SUB.ghe.com` host. */
  githubHost?: string | undefined;
  /** The state directory the token is stored in (default `COPILOT_GATEWAY_HOME`, else the XDG data dir). */
  homeDir?: string | undefined;
  /** OAuth client id of the device flow (default copilot-gateway's, or `COPILOT_GATEWAY_CLIENT_ID`). */
  clientId?: string | undefined;
  /** A PEM file of extra CA certificates, as `--ca-file`. */
  caFile?: string | undefined;
  /** The environment read for settings and proxies (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Stops waiting for approval; `signIn` then fails with `AbortedError` and stores nothing. */
  signal?: AbortSignal | undefined;
}

/** The code to show the user: open `verificationUri` and enter `userCode` within `expiresIn` seconds. */
export interface SignInCode {
  userCode: string;
  verificationUri: string;
  expiresIn: number;
}

/** A finished sign-in: the token file written and who is signed in (never the token). */
export interface SignInResult {
  path: string;
  status: AccountStatus;
}

/**
 * Sign in with GitHub's device flow, as `copilot-gateway login` does: `onCode` receives the code to show, the call
 * waits for approval, stores the token for the host (0600, atomically) and checks it against GitHub and Copilot.
 * Fails with `DeviceFlowError` (code `expired_token`, `access_denied`, …) or the check's typed error.
 */
export async function signIn(
  options: SignInOptions & { onCode: (code: SignInCode) => void },
): Promise<SignInResult> {
  const env = options.env ?? process.env;
  const settings = resolveSettings(
    {
      githubHost: options.githubHost,
      homeDir: options.homeDir,
      clientId: options.clientId,
      caFile: options.caFile,
    },
    env,
  );
  const dispatcher = createDispatcher({ caFile: settings.caFile, env });
  try {
    const { webUrl } = settings.endpoints;
    const { clientId } = settings;
    const code = await startDeviceFlow({ webUrl, clientId, dispatcher, signal: options.signal });
    options.onCode({
      userCode: code.userCode,
      verificationUri: code.verificationUri,
      expiresIn: code.expiresIn,
    });
    const granted = await pollDeviceFlow({ webUrl, clientId, code, dispatcher, signal: options.signal });
    return await completeSignIn({
      settings,
      dispatcher,
      signal: options.signal,
      token: granted.accessToken,
      expiresIn: granted.expiresIn,
      refreshToken: granted.refreshToken,
    });
  } finally {
    await dispatcher.close();
  }
}

/** Forget the stored login of the host, as `copilot-gateway logout`; returns the file removed, if there was one. */
export function signOut(
  options: Pick<SignInOptions, "githubHost" | "homeDir" | "env"> = {},
): string | undefined {
  const settings = resolveSettings({ githubHost: options.githubHost, homeDir: options.homeDir }, options.env);
  return deleteStoredGitHubToken({ homeDir: settings.homeDir, host: settings.endpoints.host });
}

/** Where the login for a host is stored (the file may not exist). */
export function storedLoginPath(options: Pick<SignInOptions, "githubHost" | "homeDir" | "env"> = {}): string {
  const settings = resolveSettings({ githubHost: options.githubHost, homeDir: options.homeDir }, options.env);
  return storedTokenPath(settings.homeDir, settings.endpoints.host);
}
