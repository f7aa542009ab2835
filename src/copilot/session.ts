import type { Dispatcher } from "undici";
import type { GitHubToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import type { CopilotCredential } from "../credentials/copilot-credential.js";
import { createCopilotCredential } from "../credentials/create-credential.js";
import type { CredentialSource } from "../credentials/credential-source.js";
import { createDispatcher } from "../http/dispatcher.js";
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
  /** How to reach Copilot (see resolveCredentialSource). One of `source`, `credential` or `githubToken` is needed. */
  source?: CredentialSource | undefined;
  /** A credential already built (with this session's `dispatcher`). */
  credential?: CopilotCredential | undefined;
  /** Shorthand for `source: {kind: "github-token", token}`. */
  githubToken?: GitHubToken | undefined;
  dispatcher?: Dispatcher | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  timeouts?: Partial<Timeouts> | undefined;
  onRefreshError?: TokenManagerOptions["onRefreshError"];
  onRefresh?: TokenManagerOptions["onRefresh"];
  /** One-off warnings of the credential (clock drift). */
  warn?: ((message: string) => void) | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Keep the last limits in the state directory for `usage` (default true). */
  persistLimits?: boolean | undefined;
}

/** One connection to Copilot: settings, the pooled dispatcher, the credential and the token manager over it. */
export interface CopilotSession extends CopilotTransportContext {
  /** The identity's latest limits, read from every answer. */
  limits: LimitTracker;
  events: SessionEvents;
  settings: Settings;
  credential: CopilotCredential;
  /** Where the last limits of this identity are kept (state directory), when persisted. */
  limitFile: LimitFileWriter | undefined;
}

export function createCopilotSession(options: CopilotSessionOptions): CopilotSession {
  const { settings } = options;
  const dispatcher = options.dispatcher ?? createDispatcher({ caFile: settings.caFile });
  const source =
    options.source ??
    (options.githubToken ? { kind: "github-token" as const, token: options.githubToken } : undefined);
  const credential =
    options.credential ??
    (source &&
      createCopilotCredential(source, { settings, dispatcher, warn: options.warn, env: options.env }));
  if (!credential) throw new TypeError("createCopilotSession needs a source, a credential or a githubToken");
  const events = new SessionEvents();
  const limitPath =
    options.persistLimits === false
      ? undefined
      : limitFilePath(settings.homeDir, settings.endpoints.host, credential.describe().identity);
  const limits = new LimitTracker({ initial: limitPath ? readLimitFile(limitPath) : undefined });
  const limitFile = limitPath ? new LimitFileWriter(limitPath) : undefined;
  if (limitFile) limits.onChange((snapshot) => limitFile.write(snapshot));
  const tokens = new CopilotTokenManager({
    exchange: (reason) => credential.copilotToken({ reason }),
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
    credential,
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
