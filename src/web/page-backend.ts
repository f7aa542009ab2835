import type { ClaudeCodeModels } from "../anthropic/claude-code-env.js";
import type { ClientModels } from "../clients/client-models.js";
import type { Settings } from "../config/settings.js";
import type { LimitSnapshot } from "../copilot/limits/limit-snapshot.js";
import type { CopilotSession } from "../copilot/session.js";
import { GatewayError } from "../errors.js";
import type { LimitEvent } from "../server/runtime.js";
import type { DayTotal, ModelTotal } from "../usage-history/usage-history.js";
import type { ModelView, RequestLogView, UsageView } from "./page-types.js";
import type { SignInCoordinator } from "./sign-in-coordinator.js";

/** The live request log as the page sees it: the recent rows (oldest first) and new ones as they happen. */
export interface RequestLogSource {
  recent(): RequestLogView[];
  /** Returns the unsubscribe function. */
  subscribe(listener: (entry: RequestLogView) => void): () => void;
}

/**
 * Everything the page APIs need from the gateway, passed in by the server (no module state). The server builds
 * one per process from its runtime; tests build one around the fake upstream.
 */
export interface PageBackend {
  settings: Settings;
  /** Keys that protect the gateway; empty means none. Every page API then requires one too. */
  apiKeys: readonly string[];
  /** The signed-in Copilot session, or undefined while nobody is signed in. */
  session(): CopilotSession | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the grant and token types belong to the auth library.
  signIn: SignInCoordinator<any, any>;
  /** Forget the stored GitHub token and drop the session; resolves with a note worth showing, if any. */
  signOut(): Promise<string | undefined>;
  listModels(session: CopilotSession, signal?: AbortSignal): Promise<ModelView[]>;
  enableModel(session: CopilotSession, id: string, signal?: AbortSignal): Promise<void>;
  usage(session: CopilotSession, signal?: AbortSignal): Promise<UsageView>;
  /** Claude Code's models from the catalogue, for the snippet; undefined when the catalogue is unavailable. */
  claudeCodeModels(
    session: CopilotSession,
    signal?: AbortSignal,
  ): Promise<ClaudeCodeModels | ClientModels | undefined>;
  requestLog: RequestLogSource;
  /** The signed-in identity's latest limits (from answers' headers), when known. */
  limits?(): LimitSnapshot | undefined;
  /** New limit snapshots and 75%/90% warnings, for the live page. */
  onLimits?(listener: (event: LimitEvent) => void): () => void;
  /** The last 30 days of usage, when the gateway keeps a history. */
  history?(): { days: DayTotal[]; models: ModelTotal[] } | undefined;
}

/** A page API that needs a Copilot session was called while nobody is signed in. */
export class PageNotSignedInError extends GatewayError {
  constructor() {
    super("not_signed_in", "Nobody is signed in to this gateway: sign in on the page first.", {
      status: 409,
    });
  }
}

export function requireSession(backend: PageBackend): CopilotSession {
  const session = backend.session();
  if (!session) throw new PageNotSignedInError();
  return session;
}
