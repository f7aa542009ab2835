import type { Dispatcher } from "undici";
import type { GitHubToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import { createDispatcher } from "../http/dispatcher.js";
import { exchangeCopilotToken } from "./exchange-token.js";
import { CopilotTokenManager, type TokenManagerOptions } from "./token-manager.js";
import {
  type CopilotTransportContext,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TIMEOUTS,
  type RetryPolicy,
  type Timeouts,
} from "./transport.js";

export interface CopilotSessionOptions {
  settings: Settings;
  githubToken: GitHubToken;
  dispatcher?: Dispatcher | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  timeouts?: Partial<Timeouts> | undefined;
  onRefreshError?: TokenManagerOptions["onRefreshError"];
  onRefresh?: TokenManagerOptions["onRefresh"];
}

/** One signed-in user's connection to Copilot: settings, the pooled dispatcher, the token manager. */
export interface CopilotSession extends CopilotTransportContext {
  settings: Settings;
  githubToken: GitHubToken;
}

export function createCopilotSession(options: CopilotSessionOptions): CopilotSession {
  const { settings, githubToken } = options;
  const dispatcher = options.dispatcher ?? createDispatcher({ caFile: settings.caFile });
  const tokens = new CopilotTokenManager({
    exchange: () =>
      exchangeCopilotToken({
        endpoints: settings.endpoints,
        identity: settings.identity,
        dispatcher,
        githubToken,
      }),
    onRefreshError: options.onRefreshError,
    onRefresh: options.onRefresh,
  });
  return {
    settings,
    githubToken,
    identity: settings.identity,
    dispatcher,
    tokens,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
  };
}
