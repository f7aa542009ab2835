import { CopilotClient } from "../copilot/client.js";
import type { LimitSnapshot } from "../copilot/limits/limit-snapshot.js";
import type { LimitWarning } from "../copilot/limits/limit-tracker.js";
import type { CopilotSession } from "../copilot/session.js";
import type { TeamGateway } from "../team/team-gateway.js";
import type { UsageHistory } from "../usage-history/usage-history.js";
import { redactSecrets } from "../util/redact.js";
import type { GatewayMetrics } from "./metrics/gateway-metrics.js";
import { countsAsUsage, RequestLog } from "./request-log.js";
import type { UpstreamGate } from "./upstream-gate/upstream-call.js";

/** What the page hears about limits: a new snapshot after an answer, or a warning when one passes 75%/90%. */
export type LimitEvent =
  | { kind: "snapshot"; snapshot: LimitSnapshot }
  | { kind: "warning"; warning: LimitWarning };

export type SessionListener = (session: CopilotSession | undefined) => void;

/**
 * Everything the gateway's routes share, passed in rather than kept in module state: the Copilot session (absent
 * until someone signs in), the typed client over it (whose model catalogue is cached), and the request log.
 */
export interface GatewayRuntime {
  /** The signed-in session, or undefined: API routes then answer "not signed in". */
  session(): CopilotSession | undefined;
  /** Swap the session (sign-in or sign-out from the page); the old one's background refresh stops. */
  setSession(session: CopilotSession | undefined): void;
  /** The client of the current session; its model catalogue is fetched once and cached. */
  client(): CopilotClient | undefined;
  onSessionChange(listener: SessionListener): () => void;
  readonly log: RequestLog;
  /** Where log lines go (stderr in the CLI), redacted on the way. */
  readonly writeLog: (line: string) => void;
  /** `serve --team`: people, personal keys and their own sessions; the single `session()` stays unused. */
  readonly team?: TeamGateway | undefined;
  /** A shared store this replica depends on (Redis): `/readyz` reports its reason while it is unavailable. */
  readonly notReadyReason?: (() => string | undefined) | undefined;
  /** Requests and tokens per day and model, when kept (the server keeps them in the state directory). */
  readonly history: UsageHistory | undefined;
  /** Prometheus metrics, when `--metrics` is on. */
  readonly metrics: GatewayMetrics | undefined;
  /** Passed by every model request just before it goes upstream (`serve --manual`, `--rate-limit`), when set. */
  readonly upstreamGate: UpstreamGate | undefined;
  /** The signed-in identity's latest limits. */
  limits(): LimitSnapshot | undefined;
  onLimits(listener: (event: LimitEvent) => void): () => void;
  /** Write what is kept in memory (history, last limits) to the state directory; on shutdown. */
  flush(): Promise<void>;
}

export interface GatewayRuntimeOptions {
  session?: CopilotSession | undefined;
  writeLog?: ((line: string) => void) | undefined;
  logCapacity?: number | undefined;
  /** Keep the token fresh in the background (the server does; tests of pure routing may not). */
  refreshTokens?: boolean | undefined;
  team?: TeamGateway | undefined;
  notReadyReason?: (() => string | undefined) | undefined;
  /** The client to use for `session` (the library's in-process gateway shares its caller's catalogue cache). */
  client?: CopilotClient | undefined;
  history?: UsageHistory | undefined;
  metrics?: GatewayMetrics | undefined;
  upstreamGate?: UpstreamGate | undefined;
}

export function createGatewayRuntime(options: GatewayRuntimeOptions = {}): GatewayRuntime {
  const log = new RequestLog(options.logCapacity ?? 200);
  const listeners = new Set<SessionListener>();
  const refresh = options.refreshTokens ?? true;
  const limitListeners = new Set<(event: LimitEvent) => void>();
  const { history, metrics } = options;
  let session: CopilotSession | undefined;
  let client: CopilotClient | undefined;
  let unwatch: (() => void)[] = [];
  const writeLog = options.writeLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tell = (event: LimitEvent) => {
    for (const listener of limitListeners) listener(event);
  };

  if (history || metrics)
    log.subscribe((entry) => {
      metrics?.observeRequest(entry, entry.login);
      if (history && countsAsUsage(entry))
        history.record({
          time: entry.time,
          model: entry.model,
          inputTokens: entry.inputTokens,
          outputTokens: entry.outputTokens,
          cachedTokens: entry.cachedTokens,
          initiator: entry.initiator,
        });
    });

  const runtime: GatewayRuntime = {
    session: () => session,
    setSession(next) {
      if (next === session) return;
      session?.tokens.stop();
      void session?.limitFile?.flush();
      for (const stop of unwatch) stop();
      unwatch = [];
      session = next;
      client =
        next === undefined
          ? undefined
          : next === options.session && options.client?.session === next
            ? options.client
            : new CopilotClient(next);
      if (next) {
        unwatch.push(
          next.limits.onChange((snapshot) => tell({ kind: "snapshot", snapshot })),
          next.limits.onWarning((warning) => {
            writeLog(`warning: ${warning.message}`);
            tell({ kind: "warning", warning });
          }),
        );
        if (metrics) unwatch.push(metrics.watchSession(next));
      }
      if (next && refresh) next.tokens.start();
      for (const listener of listeners) listener(next);
    },
    client: () => client,
    onSessionChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    log,
    writeLog: (line) => writeLog(redactSecrets(line)),
    team: options.team,
    notReadyReason: options.notReadyReason,
    history,
    metrics,
    upstreamGate: options.upstreamGate,
    limits: () => session?.limits.current(),
    onLimits(listener) {
      limitListeners.add(listener);
      return () => limitListeners.delete(listener);
    },
    async flush() {
      await Promise.all([history?.flush(), session?.limitFile?.flush()]);
    },
  };
  if (options.session) runtime.setSession(options.session);
  return runtime;
}
