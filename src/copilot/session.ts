import type { Dispatcher } from "undici";
import type { GitHubToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import { createDispatcher } from "../http/dispatcher.js";
import { exchangeCopilotToken } from "./exchange-token.js";
import { LimitFileWriter, limitFilePath, readLimitFile } from "./limits/limit-file.js";
import { LimitTracker } from "./limits/limit-tracker.js";
import { SessionEvents } from "./session-events.js";
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
  /** Keep the last limits in the state directory for `usage` (default true). */
  persistLimits?: boolean | undefined;
}

/** One signed-in user's connection to Copilot: settings, the pooled dispatcher, the token manager. */
export interface CopilotSession extends CopilotTransportContext {
  /** The identity's latest limits, read from every answer. */
  limits: LimitTracker;
  events: SessionEvents;
  settings: Settings;
  githubToken: GitHubToken;
  /** Where the last limits of this identity are kept (state directory), when persisted. */
  limitFile: LimitFileWriter | undefined;
}

export function createCopilotSession(options: CopilotSessionOptions): CopilotSession {
  const { settings, githubToken } = options;
  const dispatcher = options.dispatcher ?? createDispatcher({ caFile: settings.caFile });
  const events = new SessionEvents();
  const limitPath =
    options.persistLimits === false
      ? undefined
      : limitFilePath(settings.homeDir, settings.endpoints.host, githubToken.value);
  const limits = new LimitTracker({ initial: limitPath ? readLimitFile(limitPath) : undefined });
  const limitFile = limitPath ? new LimitFileWriter(limitPath) : undefined;
  if (limitFile) limits.onChange((snapshot) => limitFile.write(snapshot));
  const tokens = new CopilotTokenManager({
    exchange: () =>
      exchangeCopilotToken({
        endpoints: settings.endpoints,
        identity: settings.identity,
        dispatcher,
        githubToken,
      }),
    onRefreshError: (error, attempt, nextMs) => {
      events.emit("refreshFailure");
      options.onRefreshError?.(error, attempt, nextMs);
    },
    onRefresh: (token) => {
      events.emit("tokenExchange");
      options.onRefresh?.(token);
    },
  });
  return {
    settings,
    githubToken,
    identity: settings.identity,
    dispatcher,
    tokens,
    limits,
    limitFile,
    events,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
  };
}
