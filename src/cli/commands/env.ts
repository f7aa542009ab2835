import { detectShell, PLACEHOLDER_AUTH_TOKEN, parseShell } from "../../anthropic/claude-code-env.js";
import { chooseClientModels } from "../../clients/client-models.js";
import {
  CLIENT_TARGETS,
  type ClientTarget,
  clientSetup,
  renderClientSetup,
} from "../../clients/client-setup.js";
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
  const gateway = resolveGatewayOptions({ host: opts.host, port: opts.port, apiKey: opts.apiKey }, ctx.env);
  const client = connectCopilot({ settings: ctx.settings(), env: ctx.env });
  const models = chooseClientModels(await client.models());
  const shellMatters = target === "claude-code" || target === "aider" || target === "codex";
  const setup = clientSetup(target as ClientTarget, {
    origin: gatewayUrl(gateway.host, gateway.port),
    apiKey: gateway.apiKeys[0] ?? PLACEHOLDER_AUTH_TOKEN,
    models,
    shell,
    command: thisCommand(target, opts, shell, shellMatters),
  });
  // JSON has no comments: its advice goes to stderr, so `env opencode > opencode.json` stays valid JSON.
  if (setup.format === "json") for (const line of setup.advice) ctx.stderr.write(`${line}\n`);
  ctx.stdout.write(renderClientSetup(setup));
}
