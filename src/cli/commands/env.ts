import {
  chooseClaudeCodeModels,
  claudeCodeEnvironment,
  detectShell,
  formatEnvironment,
  parseShell,
  type Shell,
} from "../../anthropic/claude-code-env.js";
import { connectCopilot } from "../../copilot/connect.js";
import { UsageError } from "../../errors.js";
import { resolveGatewayOptions } from "../../server/options.js";
import type { CliContext } from "../context.js";

export interface EnvOptions {
  shell?: string;
  port?: string;
  host?: string;
  apiKey?: string;
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
