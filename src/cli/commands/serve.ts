import { NotSignedInError } from "../../auth/resolve-github-token.js";
import { CLIENT_TARGETS } from "../../clients/client-setup.js";
import { createCopilotSession } from "../../copilot/session.js";
import type { CredentialSource } from "../../credentials/credential-source.js";
import { resolveCredentialSource } from "../../credentials/resolve-credential.js";
import { describeError, EXIT_CODES, GatewayError, UsageError } from "../../errors.js";
import { createDispatcher } from "../../http/dispatcher.js";
import { assertSafeBinding, createGatewayServer } from "../../server/create-server.js";
import { followTokenStore } from "../../server/follow-token-store.js";
import { createLogWriter } from "../../server/log-writer.js";
import { resolveGatewayOptions } from "../../server/options.js";
import { refreshReporter } from "../../server/refresh-reporter.js";
import { webPageRoutes } from "../../server/routes/page/index.js";
import { createGatewayRuntime } from "../../server/runtime.js";
import { ManualApproval } from "../../server/upstream-gate/manual-approval.js";
import { resolvePacing } from "../../server/upstream-gate/pacing-options.js";
import { DEFAULT_PACER_QUEUE, RequestPacer } from "../../server/upstream-gate/request-pacer.js";
import { combineGates } from "../../server/upstream-gate/upstream-call.js";
import { UsageHistory, usageHistoryPath } from "../../usage-history/usage-history.js";
import { redactSecrets } from "../../util/redact.js";
import type { CliContext } from "../context.js";
import { withHostFlag } from "../output/command-hint.js";

/** Upstream sockets to Copilot: HTTP/1.1 needs one per concurrent stream, and a gateway may hold many. */
export const UPSTREAM_CONNECTIONS = 2048;

export interface ServeOptions {
  port?: string;
  host?: string;
  apiKey?: string[];
  cors?: string[];
  modelMap?: string[];
  modelMapFile?: string;
  /** `--team` and its flags. */
  team?: boolean;
  allowOrg?: string[];
  admin?: string[];
  billing?: string;
  userRpm?: string;
  userConcurrency?: string;
  trustProxy?: boolean;
  publicUrl?: string;
  /** `--redis URL` (or REDIS_URL) and `--redis-prefix`: the team gateway's state in Redis, for many replicas. */
  redis?: string;
  redisPrefix?: string;
  metrics?: boolean;
  metricsToken?: string;
  /** `--rate-limit SECONDS` and `--wait`: a minimum gap between model requests to Copilot. */
  rateLimit?: string;
  wait?: boolean;
  /** `--manual`: ask on the terminal before each model request goes upstream. */
  manual?: boolean;
}

/**
 * `copilot-gateway serve`: the OpenAI-compatible gateway. Starts even when nobody is signed in (the web page can
 * sign in later), refreshes the Copilot token in the background, and on SIGINT/SIGTERM stops accepting, lets
 * in-flight answers finish within the grace period and returns (exit 0).
 */
export async function serve(ctx: CliContext, opts: ServeOptions): Promise<void> {
  if (opts.team) {
    if (opts.manual || opts.wait || resolvePacing({ rateLimit: opts.rateLimit }, ctx.env))
      throw new UsageError(
        "--rate-limit (COPILOT_GATEWAY_RATE_LIMIT), --wait and --manual are for a single-user gateway; a team gateway limits each person with --user-rpm and --user-concurrency.",
        "not_with_team",
      );
    return (await import("./serve-team.js")).serveTeam(ctx, opts);
  }
  const pacing = resolvePacing({ rateLimit: opts.rateLimit, wait: opts.wait }, ctx.env);
  const manualTerminal = opts.manual ? await import("./serve-manual.js") : undefined;
  if (opts.metricsToken !== undefined)
    throw new UsageError(
      "--metrics-token applies to --team; without it, /metrics is behind --api-key when keys are set.",
    );
  manualTerminal?.assertManualTerminal(ctx);
  const options = resolveGatewayOptions(
    {
      host: opts.host,
      port: opts.port,
      apiKey: opts.apiKey,
      cors: opts.cors,
      verbose: ctx.options.verbose,
      modelMap: opts.modelMap,
      modelMapFile: opts.modelMapFile,
    },
    ctx.env,
  );
  assertSafeBinding(options);
  // One batched writer for every line, so they keep their order; request lines come already redacted.
  const log = createLogWriter(ctx.stderr);
  const say = (line: string) => log.write(redactSecrets(withHostFlag(line, ctx.options.githubHost)));
  const settings = ctx.settings();

  // Each session has its own pool (signing out closes it) and reports refresh failures once, then on change.
  const newSession = (source: CredentialSource) => {
    const reporter = refreshReporter(say);
    const dispatcher = createDispatcher({ caFile: settings.caFile, connections: UPSTREAM_CONNECTIONS });
    const session = createCopilotSession({
      settings,
      dispatcher,
      source,
      env: ctx.env,
      warn: (message) => say(`warning: ${message}`),
      ...reporter,
    });
    return { reporter, session };
  };
  let first: ReturnType<typeof newSession> | undefined;
  try {
    first = newSession(resolveCredentialSource(settings, ctx.env));
  } catch (error) {
    if (!(error instanceof NotSignedInError)) throw error;
  }
  const session = first?.session;

  // Usage history lives in the state directory; metrics (and prom-client) load only when asked for.
  const history = new UsageHistory({ path: usageHistoryPath(settings.homeDir) });
  const metrics = opts.metrics
    ? new (await import("../../server/metrics/gateway-metrics.js")).GatewayMetrics()
    : undefined;
  // --manual asks first, then --rate-limit spaces what was approved, so the gap holds at the moment of sending.
  const manual = manualTerminal && new ManualApproval(manualTerminal.terminalApproval(ctx, log));
  const pacer = pacing && new RequestPacer(pacing);
  const upstreamGate = combineGates(manual?.gate, pacer?.gate);
  const runtime = createGatewayRuntime({ session, writeLog: log.write, history, metrics, upstreamGate });
  // `login` / `logout` in another terminal take effect here without a restart.
  const stopFollowing = followTokenStore({
    runtime,
    settings,
    env: ctx.env,
    createSession: (source) => newSession(source).session,
  });
  const server = await createGatewayServer(runtime, options, [webPageRoutes(settings, ctx.env)]);
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    throw listenError(error, options.host, options.port);
  }
  say(`copilot-gateway listening on ${url} (OpenAI base URL: ${url}/v1)`);
  say(
    `Point a tool at it: copilot-gateway env ${CLIENT_TARGETS.join("|")}${envFlags(opts, url)}; the page ${url}/ shows the same setups.`,
  );
  if (options.apiKeys.length > 0) say(`API key required (${options.apiKeys.length} configured).`);
  if (options.corsOrigins.length > 0) say(`CORS allowed for: ${options.corsOrigins.join(", ")}`);
  if (pacing)
    say(
      `Rate limit: at most one model request to Copilot every ${pacing.intervalMs / 1000} s; ${pacing.wait ? `early ones wait in line (up to ${DEFAULT_PACER_QUEUE})` : "early ones get 429 with Retry-After (--wait queues them)"}.`,
    );
  if (manual) say("Manual approval: each model request is asked here before it goes to Copilot.");
  if (metrics)
    say(`Prometheus metrics at ${url}/metrics${options.apiKeys.length > 0 ? " (API key required)" : ""}.`);
  if (session) {
    try {
      const token = await session.tokens.get();
      const info = session.credential.describe();
      say(
        `Copilot ready (${info.description} from ${info.source}, billed to ${info.billing}; API ${token.apiUrl}).`,
      );
    } catch (error) {
      first?.reporter.onRefreshError(error, 0, 0);
    }
  } else {
    say(
      `Not signed in: run \`copilot-gateway login\` (this gateway picks it up), or open ${url}/ to sign in.`,
    );
  }

  await waitForShutdownSignal(() => {
    say("Shutting down: no new requests, finishing the ones in flight…");
    // Requests still waiting for a question or a slot are answered 503 now, not sent.
    manual?.close();
    pacer?.close();
  });
  stopFollowing();
  const forceOnSecondSignal = () => server.app.server.closeAllConnections();
  process.once("SIGINT", forceOnSecondSignal);
  process.once("SIGTERM", forceOnSecondSignal);
  try {
    await server.close();
    await runtime.session()?.dispatcher.close();
  } finally {
    process.off("SIGINT", forceOnSecondSignal);
    process.off("SIGTERM", forceOnSecondSignal);
  }
  say("Stopped.");
  log.flush();
}

/** The serve flags `env` needs to print the same address and key (values from the environment carry over). */
function envFlags(opts: ServeOptions, url: string): string {
  const port = new URL(url).port;
  return `${opts.host ? ` --host ${opts.host}` : ""}${port && port !== "4141" ? ` --port ${port}` : ""}${opts.apiKey?.length ? " --api-key KEY" : ""}`;
}

export function waitForShutdownSignal(onSignal: () => void): Promise<void> {
  return new Promise((resolve) => {
    const handler = () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
      onSignal();
      resolve();
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}

export function listenError(error: unknown, host: string, port: number): GatewayError {
  if (error instanceof GatewayError) return error; // already says what to do (e.g. unsafe_binding)
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE")
    return new GatewayError(
      "port_in_use",
      `Port ${port} on ${host} is already in use: stop the other process or pass --port.`,
      { exitCode: EXIT_CODES.usage },
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new GatewayError(
      "invalid_host",
      `Cannot listen on ${host}: no such local address; check --host.`,
      {
        exitCode: EXIT_CODES.usage,
      },
    );
  if (code === "EACCES")
    return new GatewayError(
      "port_not_permitted",
      `Not permitted to listen on port ${port}: use a port above 1023.`,
      { exitCode: EXIT_CODES.usage },
    );
  return new GatewayError("listen_failed", `Cannot listen on ${host}:${port}: ${describeError(error)}`, {
    exitCode: EXIT_CODES.unexpected,
  });
}
