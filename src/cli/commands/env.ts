import type { ClientTarget } from "../../clients/client-targets.js";
import { CLIENT_TARGETS } from "../../clients/client-targets.js";
import { detectShell, parseShell } from "../../clients/shell.js";
import type { CopilotModel } from "../../copilot/models.js";
import { EXIT_CODES, GatewayError, UsageError } from "../../errors.js";
import { resolveListenAddress } from "../../server/listen-address.js";
import type { CliContext } from "../context.js";
import { openCopilotClient } from "../copilot-client.js";

export interface EnvOptions {
  shell?: string;
  port?: string;
  host?: string;
  apiKey?: string;
  /** A team gateway signed in to with `copilot-gateway connect`: its URL and the stored personal key. */
  server?: string;
}

/** The URL a local client uses for a gateway bound to `host` (a wildcard bind is reached on loopback). */
function gatewayUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

const shellWord = (part: string) =>
  /^[\w.:/@%+=,-]+$/.test(part) ? part : `'${part.replaceAll("'", `'\\''`)}'`;

/** This run as a command, with the same target and gateway flags, so the advice reproduces exactly this output. */
function thisCommand(target: string, opts: EnvOptions, shell: string, withShell: boolean): string {
  const flags = [
    ...(opts.host ? ["--host", opts.host] : []),
    ...(opts.port ? ["--port", opts.port] : []),
    ...(opts.apiKey ? ["--api-key", opts.apiKey] : []),
    ...(opts.server ? ["--server", opts.server] : []),
    ...(withShell ? ["--shell", shell] : []),
  ];
  return ["copilot-gateway env", target, ...flags.map(shellWord)].join(" ");
}

/**
 * `copilot-gateway env TARGET [--shell …]`: what points a tool at the gateway (environment, configuration file or
 * command), with models picked from the live catalogue. Same --host/--port/--api-key (and env) as `serve`.
 */
export async function env(ctx: CliContext, target: string, opts: EnvOptions = {}): Promise<void> {
  if (!(CLIENT_TARGETS as readonly string[]).includes(target))
    throw new UsageError(
      `Unknown target "${target}"; use one of: ${CLIENT_TARGETS.join(", ")}.`,
      "invalid_target",
    );
  const shell = opts.shell ? parseShell(opts.shell) : detectShell(ctx.env);
  const shellMatters = target === "claude-code" || target === "aider" || target === "codex";
  let origin: string;
  let apiKey: string;
  let catalogue: CopilotModel[];
  if (opts.server) {
    // A team gateway: its URL, the personal key `connect` stored, and the models it serves this person.
    const { normalizeServerUrl, readServerKey } = await import("../../team/server-keys.js");
    origin = normalizeServerUrl(opts.server);
    const stored = readServerKey(ctx.settings().homeDir, origin);
    if (!stored) {
      throw new GatewayError(
        "no_server_key",
        `No personal key for ${origin}: run \`copilot-gateway connect ${origin}\` first.`,
        { exitCode: EXIT_CODES.notSignedIn },
      );
    }
    apiKey = stored.key;
    catalogue = await gatewayModels(ctx, origin, apiKey);
  } else {
    const gateway = resolveListenAddress({ host: opts.host, port: opts.port, apiKey: opts.apiKey }, ctx.env);
    const client = await openCopilotClient(ctx);
    origin = gatewayUrl(gateway.host, gateway.port);
    apiKey =
      gateway.apiKeys[0] ?? (await import("../../anthropic/claude-code-env.js")).PLACEHOLDER_AUTH_TOKEN;
    catalogue = [...(await client.models())];
  }
  const [{ chooseClientModels }, { clientSetup, renderClientSetup }] = await Promise.all([
    import("../../clients/client-models.js"),
    import("../../clients/client-setup.js"),
  ]);
  const models = chooseClientModels(catalogue);
  const setup = clientSetup(target as ClientTarget, {
    origin,
    apiKey,
    models,
    shell,
    command: thisCommand(target, opts, shell, shellMatters),
  });
  // JSON has no comments: its advice goes to stderr, so `env opencode > opencode.json` stays valid JSON.
  if (setup.format === "json") for (const line of setup.advice) ctx.stderr.write(`${line}\n`);
  ctx.stdout.write(renderClientSetup(setup));
}

/** The catalogue a team gateway serves this person (`GET /v1/models` with their key). */
async function gatewayModels(ctx: CliContext, server: string, key: string): Promise<CopilotModel[]> {
  const [{ copilotModelSchema }, { createDispatcher }, { readText, sendHttp }] = await Promise.all([
    import("../../copilot/models.js"),
    import("../../http/dispatcher.js"),
    import("../../http/request.js"),
  ]);
  const dispatcher = createDispatcher({ caFile: ctx.settings().caFile });
  try {
    const response = await sendHttp({
      method: "GET",
      url: `${server}/v1/models`,
      headers: { authorization: `Bearer ${key}`, accept: "application/json" },
      dispatcher,
      headersTimeoutMs: 30_000,
      bodyTimeoutMs: 30_000,
    });
    const text = await readText(response);
    let json: { data?: unknown[]; error?: { message?: string } } = {};
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: reported below
    }
    if (response.statusCode !== 200 || !Array.isArray(json.data)) {
      throw new GatewayError(
        "server_models_failed",
        `${server} answered HTTP ${response.statusCode} for the model list${json.error?.message ? `: ${json.error.message}` : ""}`,
        { exitCode: response.statusCode === 401 ? EXIT_CODES.tokenRejected : EXIT_CODES.upstream },
      );
    }
    return json.data.flatMap((m) => {
      const parsed = copilotModelSchema.safeParse(m);
      return parsed.success ? [parsed.data] : [];
    });
  } finally {
    await dispatcher.close();
  }
}
