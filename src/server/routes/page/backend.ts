import type { Dispatcher } from "undici";
import { type DeviceFlowToken, pollDeviceFlow } from "../../../auth/device-flow/poll-device-flow.js";
import { type DeviceCode, startDeviceFlow } from "../../../auth/device-flow/start-device-flow.js";
import { fetchGitHubUser } from "../../../auth/github-user.js";
import { GITHUB_TOKEN_ENV_VARS } from "../../../auth/resolve-github-token.js";
import {
  deleteStoredGitHubToken,
  readStoredGitHubToken,
  saveGitHubToken,
  storedTokenPath,
} from "../../../auth/token-store.js";
import { chooseClientModels } from "../../../clients/client-models.js";
import type { Settings } from "../../../config/settings.js";
import type { CopilotClient } from "../../../copilot/client.js";
import { type CopilotSession, createCopilotSession } from "../../../copilot/session.js";
import { quotaResetDate } from "../../../copilot/usage.js";
import { describeError } from "../../../errors.js";
import { createDispatcher } from "../../../http/dispatcher.js";
import { lastDays, totalsByDay, totalsByModel } from "../../../usage-history/usage-history.js";
import { type PageBackend, PageNotSignedInError } from "../../../web/page-backend.js";
import type { RequestLogView } from "../../../web/page-types.js";
import { SignInCoordinator } from "../../../web/sign-in-coordinator.js";
import { toModelView, toUsageView } from "../../../web/views.js";
import { refreshReporter } from "../../refresh-reporter.js";
import type { RequestLogEntry } from "../../request-log.js";
import type { GatewayRuntime } from "../../runtime.js";

export interface GatewayPageBackendOptions {
  runtime: GatewayRuntime;
  settings: Settings;
  apiKeys: readonly string[];
  env?: NodeJS.ProcessEnv | undefined;
}

export function toRequestLogView(entry: RequestLogEntry): RequestLogView {
  return {
    id: String(entry.id),
    time: new Date(entry.time).toISOString(),
    method: entry.method,
    route: entry.path,
    model: entry.model ?? null,
    status: entry.status,
    latencyMs: Math.round(entry.durationMs),
    inputTokens: entry.inputTokens ?? null,
    outputTokens: entry.outputTokens ?? null,
    error: entry.error ?? null,
    stream: entry.stream,
    upstreamStatus: entry.upstreamStatus ?? null,
    requestId: entry.upstreamRequestId ?? null,
    firstByteMs: entry.firstByteMs === undefined ? null : Math.round(entry.firstByteMs),
    cachedTokens: entry.cachedTokens ?? null,
  };
}

/**
 * The page's view of a running gateway: sign-in runs the device flow with the auth library, checks the token
 * against Copilot, stores it and hands the new session to the runtime, so the API routes work at once.
 */
export function createGatewayPageBackend(options: GatewayPageBackendOptions): PageBackend & {
  close(): Promise<void>;
} {
  const { runtime, settings } = options;
  const env = options.env ?? process.env;
  const location = { homeDir: settings.homeDir, host: settings.endpoints.host };
  let signInDispatcher: Dispatcher | undefined;
  const dispatcher = () => {
    signInDispatcher ??= createDispatcher({ caFile: settings.caFile, env });
    return signInDispatcher;
  };
  // The gateway's own client of that session: the page shares its cached catalogue with the API routes, so
  // enabling a model here is seen by them at once.
  const clientFor = (session: CopilotSession): CopilotClient => {
    const client = runtime.client();
    if (!client || client.session !== session) throw new PageNotSignedInError();
    return client;
  };
  const flow = { webUrl: settings.endpoints.webUrl, clientId: settings.clientId };
  // The GitHub token this page signed in, if any: Sign out removes the stored login only when it is that one,
  // never a login `copilot-gateway login` stored or anything a variable holds.
  let signedInHere: string | undefined;

  const signIn = new SignInCoordinator<DeviceCode, DeviceFlowToken>({
    requestCode: (signal) => startDeviceFlow({ ...flow, dispatcher: dispatcher(), signal }),
    waitForToken: (code, signal) => pollDeviceFlow({ ...flow, code, dispatcher: dispatcher(), signal }),
    complete: async (granted, signal) => {
      const path = storedTokenPath(settings.homeDir, settings.endpoints.host);
      const githubToken = {
        value: granted.accessToken,
        origin: "stored" as const,
        label: `the stored login (${path})`,
      };
      const session = createCopilotSession({
        settings,
        githubToken,
        ...refreshReporter(runtime.writeLog),
      });
      try {
        // Check the token before keeping it: on the page the user is right there to retry, and a token that
        // cannot reach Copilot (no seat, SSO) must not be left behind as "signed in".
        const [user] = await Promise.all([
          fetchGitHubUser({
            endpoints: settings.endpoints,
            identity: settings.identity,
            githubToken,
            dispatcher: session.dispatcher,
            signal,
          }),
          session.tokens.get(signal),
        ]);
        signedInHere = granted.accessToken;
        saveGitHubToken(location, {
          token: granted.accessToken,
          login: user.login,
          source: "device-flow:web",
          expiresAt:
            granted.expiresIn === undefined
              ? undefined
              : new Date(Date.now() + granted.expiresIn * 1000).toISOString(),
          refreshToken: granted.refreshToken,
        });
      } catch (error) {
        await session.dispatcher.close().catch(() => undefined);
        throw error;
      }
      runtime.writeLog(`Signed in from the web page; GitHub token stored in ${path}.`);
      runtime.setSession(session);
    },
    onFailure: (error) => runtime.writeLog(`Web sign-in failed: ${describeError(error)}`),
  });

  return {
    settings,
    apiKeys: options.apiKeys,
    session: () => runtime.session(),
    signIn,
    async signOut() {
      const session = runtime.session();
      const storedByPage =
        signedInHere !== undefined && readStoredGitHubToken(location)?.token === signedInHere;
      if (storedByPage) deleteStoredGitHubToken(location);
      signedInHere = undefined;
      const stillSet = GITHUB_TOKEN_ENV_VARS.filter((name) => env[name]?.trim());
      const storedKept = !storedByPage && readStoredGitHubToken(location) !== undefined;
      runtime.setSession(undefined);
      if (session) {
        runtime.writeLog(
          storedByPage
            ? "Signed out from the web page; the GitHub token it stored was removed."
            : "Signed out from the web page; no stored login was touched.",
        );
        // In-flight answers on the old session may still finish; close() waits for them.
        void session.dispatcher.close().catch(() => undefined);
      }
      const notes = [
        ...(stillSet.length > 0
          ? [
              `${stillSet.join(", ")} is set in the gateway's environment and will be used again when it restarts.`,
            ]
          : []),
        ...(storedKept
          ? [
              "The login stored by `copilot-gateway login` was kept; run `copilot-gateway logout` to remove it.",
            ]
          : []),
      ];
      return notes.length > 0 ? notes.join(" ") : undefined;
    },
    async listModels(session, signal) {
      return (await clientFor(session).models({ signal })).map(toModelView);
    },
    async enableModel(session, id, signal) {
      await clientFor(session).enableModel(id, { signal });
    },
    async claudeCodeModels(session, signal) {
      try {
        return chooseClientModels(await clientFor(session).models({ signal }));
      } catch {
        return undefined; // the snippet then sets only the URL and token; the models table shows the error
      }
    },
    async usage(session, signal) {
      const usage = await clientFor(session).usage({ signal });
      return { ...toUsageView(usage), resetDate: quotaResetDate(usage) ?? null };
    },
    limits: () => runtime.limits(),
    onLimits: (listener) => runtime.onLimits(listener),
    history: () => {
      const rows = runtime.history?.rows(30);
      if (!rows) return undefined;
      return { days: totalsByDay(rows, lastDays(30)), models: totalsByModel(rows) };
    },
    requestLog: {
      recent: () => runtime.log.recent().map(toRequestLogView),
      subscribe: (listener) => runtime.log.subscribe((entry) => listener(toRequestLogView(entry))),
    },
    async close() {
      await signIn.close();
      await signInDispatcher?.close().catch(() => undefined);
    },
  };
}
