import { readFileSync } from "node:fs";
import { type CopilotSession, createCopilotSession } from "../../copilot/session.js";
import { resolveGitHubAppConfig } from "../../credentials/github-app/app-config.js";
import { createGitHubAppCredential } from "../../credentials/github-app-credential.js";
import { describeError, UsageError } from "../../errors.js";
import { createDispatcher } from "../../http/dispatcher.js";
import { createGatewayServer } from "../../server/create-server.js";
import { createLogWriter } from "../../server/log-writer.js";
import { resolveGatewayOptions } from "../../server/options.js";
import { teamPageRoutes } from "../../server/routes/team/index.js";
import { createGatewayRuntime } from "../../server/runtime.js";
import { DEFAULT_REDIS_PREFIX } from "../../store/redis/redis-keys.js";
import { openTeamGateway } from "../../team/open-team-gateway.js";
import { createSecretBox } from "../../team/secret-box.js";
import { loadSecretKeys } from "../../team/secret-keys.js";
import { resolveTeamOptions, teamServerOptions } from "../../team/team-options.js";
import { redactSecrets } from "../../util/redact.js";
import type { CliContext } from "../context.js";
import { listenError, type ServeOptions, UPSTREAM_CONNECTIONS, waitForShutdownSignal } from "./serve.js";

/**
 * `copilot-gateway serve --team`: one gateway for everybody. Each person signs in with their own GitHub account
 * (page or `connect`), gets a personal key, and their requests run on their own seat (or the organisation's App).
 */
export async function serveTeam(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const teamOptions = resolveTeamOptions(
    {
      allowOrg: opts.allowOrg,
      admin: opts.admin,
      billing: opts.billing,
      userRpm: opts.userRpm,
      userConcurrency: opts.userConcurrency,
      trustProxy: opts.trustProxy,
      publicUrl: opts.publicUrl,
      metricsToken: opts.metricsToken,
    },
    ctx.env,
  );
  if (teamOptions.metricsToken && !opts.metrics)
    throw new UsageError("--metrics-token guards /metrics: add --metrics to serve them.");
  const base = resolveGatewayOptions(
    {
      host: opts.host,
      port: opts.port,
      apiKey: opts.apiKey,
      cors: opts.cors,
      verbose: ctx.options.verbose,
      modelMap: opts.modelMap,
      modelMapFile: opts.modelMapFile,
    },
    { ...ctx.env, COPILOT_GATEWAY_API_KEY: undefined },
  );
  if (base.apiKeys.length > 0) {
    throw new UsageError("--api-key does not apply with --team: each person uses their own personal key.");
  }
  const options = teamServerOptions(base, teamOptions);
  const log = createLogWriter(ctx.stderr);
  const say = (line: string) => log.write(redactSecrets(line));
  const settings = ctx.settings();
  const redisUrl = opts.redis ?? ctx.env.REDIS_URL;
  if (opts.redisPrefix !== undefined && !redisUrl?.trim())
    throw new UsageError("--redis-prefix needs --redis URL (or REDIS_URL).");
  // Many replicas open each other's sealed tokens: they must share the secret, a per-machine key file would not do.
  if (redisUrl && !ctx.env.COPILOT_GATEWAY_SECRET?.trim())
    throw new UsageError(
      "--redis needs COPILOT_GATEWAY_SECRET, the same on every replica (e.g. `openssl rand -base64 32`): tokens sealed by one replica are opened by the others.",
    );
  const redis = redisUrl
    ? await (await import("../../store/redis/open-redis-team.js")).openRedisTeamBackend({
        url: redisUrl,
        prefix: opts.redisPrefix ?? (ctx.env.COPILOT_GATEWAY_REDIS_PREFIX?.trim() || DEFAULT_REDIS_PREFIX),
        ca: settings.caFile ? readFileSync(settings.caFile) : undefined,
        userRpm: teamOptions.userRpm,
        userConcurrency: teamOptions.userConcurrency,
        leaseMs: concurrencyLeaseMs(ctx.env),
        say,
      })
    : undefined;
  const dispatcher = createDispatcher({ caFile: settings.caFile, connections: UPSTREAM_CONNECTIONS });
  // --billing org: every request runs on the organisation's GitHub App installation (people sign in for identity).
  let orgSession: CopilotSession | undefined;
  if (teamOptions.billing === "org") {
    const app = resolveGitHubAppConfig(settings.githubApp ?? {}, ctx.env);
    if (!app) {
      throw new UsageError(
        "--billing org runs requests on the organisation's GitHub App: give --github-app-id, --github-app-installation-id, --github-app-repository-id and --github-app-private-key (or their COPILOT_GATEWAY_GITHUB_APP_* variables).",
      );
    }
    // On Redis, the installation token and the Copilot token from it are shared by every replica (sealed).
    const shared = redis?.appTokens(
      app.installationId,
      createSecretBox(loadSecretKeys(settings.homeDir, ctx.env).keys),
    );
    orgSession = createCopilotSession({
      settings,
      dispatcher,
      credential: createGitHubAppCredential({
        settings,
        dispatcher,
        app,
        warn: say,
        shareInstallationToken: shared?.installation,
      }),
      shareExchange: shared?.copilot.get,
      onInvalidate: shared?.copilot.invalidate,
      env: ctx.env,
      warn: say,
      onRefreshError: (error, attempt, nextMs) =>
        say(
          `warning: the App's Copilot token refresh failed (attempt ${attempt}, next try in ${Math.round(nextMs / 1000)} s): ${describeError(error)}`,
        ),
    });
    orgSession.tokens.start();
  }
  // Per-person series, labelled by login; prom-client is only loaded with --metrics.
  const metrics = opts.metrics
    ? new (await import("../../server/metrics/gateway-metrics.js")).GatewayMetrics({ perUser: true })
    : undefined;
  const { team, secrets } = await openTeamGateway({
    settings,
    options: teamOptions,
    dispatcher,
    env: ctx.env,
    orgSession,
    warn: say,
    ...(redis && { store: redis.store }),
    extra: {
      metrics,
      ...(redis && {
        events: redis.events,
        rateLimiter: redis.rateLimiter,
        concurrency: redis.concurrency,
        admission: redis.admission,
        shareToken: redis.copilotToken,
      }),
    },
  });
  const runtime = createGatewayRuntime({
    writeLog: log.write,
    team,
    notReadyReason: redis?.notReadyReason,
    metrics,
  });
  if (redis) redis.shareRequestLog(runtime.log);
  const server = await createGatewayServer(runtime, options, [teamPageRoutes()]);
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    await team.store.close();
    await redis?.close();
    throw listenError(error, options.host, options.port);
  }
  const publicUrl = teamOptions.publicUrl ?? url;
  say(`copilot-gateway team gateway listening on ${url} (OpenAI base URL: ${publicUrl}/v1)`);
  say(
    `People sign in at ${publicUrl}/ or with \`copilot-gateway connect ${publicUrl}\`; each gets a personal key.`,
  );
  say(
    teamOptions.allowOrgs.length > 0
      ? `Only members of ${teamOptions.allowOrgs.join(", ")} get a key (checked at sign-in and at each token refresh).`
      : "No --allow-org: anyone who can sign in to GitHub gets a key.",
  );
  say(
    teamOptions.billing === "seat"
      ? "Billing: each person's requests run on their own Copilot seat."
      : `Billing: every request runs on the organisation's GitHub App (${orgSession?.credential.describe().description}).`,
  );
  if (teamOptions.admins.length === 0)
    say("No --admin: nobody can manage people on the page (the CLI `team` commands still can).");
  else say(`Admins: ${teamOptions.admins.join(", ")}.`);
  const limits = [
    teamOptions.userRpm && `${teamOptions.userRpm} requests/minute`,
    teamOptions.userConcurrency && `${teamOptions.userConcurrency} at once`,
  ].filter(Boolean);
  if (limits.length > 0) say(`Per-person limits: ${limits.join(", ")}.`);
  if (metrics)
    say(
      `Prometheus metrics at ${publicUrl}/metrics, per person by login; scrape with ${teamOptions.metricsToken ? "the --metrics-token or " : ""}an admin's personal key as the bearer.`,
    );
  say(
    `Store: ${team.store.description}; secrets sealed with ${secrets.origin === "env" ? "COPILOT_GATEWAY_SECRET" : `the key file ${secrets.path}${secrets.created ? " (generated now)" : ""}`}.`,
  );

  await waitForShutdownSignal(() => say("Shutting down: no new requests, finishing the ones in flight…"));
  const forceOnSecondSignal = () => server.app.server.closeAllConnections();
  process.once("SIGINT", forceOnSecondSignal);
  process.once("SIGTERM", forceOnSecondSignal);
  try {
    await server.close();
    orgSession?.tokens.stop();
    await team.store.close();
    await redis?.close();
    await dispatcher.close();
  } finally {
    process.off("SIGINT", forceOnSecondSignal);
    process.off("SIGTERM", forceOnSecondSignal);
  }
  say("Stopped.");
  log.flush();
}

/**
 * `COPILOT_GATEWAY_CONCURRENCY_LEASE_SECONDS`: how long a `--user-concurrency` slot held by a replica that died stays
 * taken on Redis (live replicas renew theirs every third of it). Default 60.
 */
function concurrencyLeaseMs(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.COPILOT_GATEWAY_CONCURRENCY_LEASE_SECONDS?.trim();
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600)
    throw new UsageError(
      `COPILOT_GATEWAY_CONCURRENCY_LEASE_SECONDS must be a whole number of seconds from 1 to 3600, not "${raw}".`,
    );
  return seconds * 1000;
}
