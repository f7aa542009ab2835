import {
  chooseClaudeCodeModels,
  claudeCodeEnvironment,
  detectShell,
  formatEnvironment,
  parseShell,
  type Shell,
} from "../../anthropic/claude-code-env.js";
import { connectCopilot } from "../../copilot/connect.js";
import { type CopilotModel, copilotModelSchema } from "../../copilot/models.js";
import { EXIT_CODES, GatewayError, UsageError } from "../../errors.js";
import { createDispatcher } from "../../http/dispatcher.js";
import { readText, sendHttp } from "../../http/request.js";
import { resolveGatewayOptions } from "../../server/options.js";
import { normalizeServerUrl, readServerKey } from "../../team/server-keys.js";
import type { CliContext } from "../context.js";

export interface EnvOptions {
  shell?: string;
  port?: string;
  host?: string;
  apiKey?: string;
  /** A team gateway signed in to with `copilot-gateway connect`: its URL and the stored personal key. */
  server?: string;
}

const TARGETS = ["claude-code"] as const;

/** The URL a local client uses for a gateway bound to `host` (a wildcard bind is reached on loopback). */
function gatewayUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/** The command that applies this output in `shell`, with the same target and gateway flags as this run. */
function usageHint(shell: Shell, target: string, opts: EnvOptions): string {
  const flags = [
    ...(opts.host ? ["--host", opts.host] : []),
    ...(opts.port ? ["--port", opts.port] : []),
    ...(opts.apiKey ? ["--api-key", opts.apiKey] : []),
    ...(opts.server ? ["--server", opts.server] : []),
  ].map((part) => (/^[\w.:/@%+=,-]+$/.test(part) ? part : `'${part.replaceAll("'", `'\\''`)}'`));
  const command = ["copilot-gateway env", target, ...flags, "--shell", shell].join(" ");
  switch (shell) {
    case "powershell":
      return `${command} | Out-String | Invoke-Expression`;
    case "fish":
      return `${command} | source`;
    default:
      return `eval "$(${command})"`;
  }
}

/**
 * `copilot-gateway env claude-code [--shell bash|zsh|fish|powershell]`: the variables that point Claude Code at the
 * gateway, with models picked from the live catalogue. Same --host/--port/--api-key (and env) as `serve`.
 */
export async function env(ctx: CliContext, target: string, opts: EnvOptions = {}): Promise<void> {
  if (!(TARGETS as readonly string[]).includes(target))
    throw new UsageError(`Unknown target "${target}"; use one of: ${TARGETS.join(", ")}.`, "invalid_target");
  const shell = opts.shell ? parseShell(opts.shell) : detectShell(ctx.env);
  if (opts.server) {
    const server = normalizeServerUrl(opts.server);
    const stored = readServerKey(ctx.settings().homeDir, server);
    if (!stored) {
      throw new GatewayError(
        "no_server_key",
        `No personal key for ${server}: run \`copilot-gateway connect ${server}\` first.`,
        { exitCode: EXIT_CODES.notSignedIn },
      );
    }
    const models = chooseClaudeCodeModels(await gatewayModels(ctx, server, stored.key));
    ctx.stdout.write(
      `# Claude Code → team gateway ${server} as ${stored.login}. Apply with: ${usageHint(shell, target, opts)}\n`,
    );
    ctx.stdout.write(
      formatEnvironment(claudeCodeEnvironment({ baseUrl: server, apiKey: stored.key, models }), shell),
    );
    return;
  }
  const gateway = resolveGatewayOptions({ host: opts.host, port: opts.port, apiKey: opts.apiKey }, ctx.env);
  const client = connectCopilot({ settings: ctx.settings(), env: ctx.env });
  const models = chooseClaudeCodeModels(await client.models());
  const baseUrl = gatewayUrl(gateway.host, gateway.port);
  const variables = claudeCodeEnvironment({ baseUrl, apiKey: gateway.apiKeys[0], models });
  ctx.stdout.write(
    `# Claude Code → copilot-gateway at ${baseUrl}. Apply with: ${usageHint(shell, target, opts)}\n`,
  );
  ctx.stdout.write(formatEnvironment(variables, shell));
}

/** The catalogue a team gateway serves this person (`GET /v1/models` with their key). */
async function gatewayModels(ctx: CliContext, server: string, key: string): Promise<CopilotModel[]> {
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
      // handled below
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
