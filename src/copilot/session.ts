import type { Dispatcher } from "undici";
import type { GitHubToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import { createDispatcher } from "../http/dispatcher.js";
import type { CopilotToken } from "./copilot-token.js";
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
  /**
   * Route each exchange through a cache shared between processes (the team gateway on Redis): given the direct
   * exchange, answer a token, exchanging only when no process has a fresh one.
   */
  shareExchange?: ((exchange: () => Promise<CopilotToken>) => Promise<CopilotToken>) | undefined;
  onInvalidate?: TokenManagerOptions["onInvalidate"];
}

/** One signed-in user's connection to Copilot: settings, the pooled dispatcher, the token manager. */
export interface CopilotSession extends CopilotTransportContext {
  settings: Settings;
  githubToken: GitHubToken;
}

export function createCopilotSession(options: CopilotSessionOptions): CopilotSession {
  const { settings, githubToken } = options;
  const dispatcher = options.dispatcher ?? createDispatcher({ caFile: settings.caFile });
  const exchange = () =>
    exchangeCopilotToken({
      endpoints: settings.endpoints,
      identity: settings.identity,
      dispatcher,
      githubToken,
    });
  const share = options.shareExchange;
  const tokens = new CopilotTokenManager({
    exchange: share ? () => share(exchange) : exchange,
    onRefreshError: options.onRefreshError,
    onRefresh: options.onRefresh,
    onInvalidate: options.onInvalidate,
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
