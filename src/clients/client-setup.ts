import { claudeCodeEnvironment, formatEnvironment, type Shell } from "../anthropic/claude-code-env.js";
import type { ClientModels } from "./client-models.js";

import type { ClientTarget } from "./client-targets.js";

export { CLIENT_TARGETS, type ClientTarget } from "./client-targets.js";

/** Codex reads the key it sends from a variable its provider block names; our own, so no other tool reads it. */
export const CODEX_KEY_VARIABLE = "COPILOT_GATEWAY_CLIENT_KEY";
/** The provider id used in the Codex and opencode configurations. */
export const PROVIDER_ID = "copilot-gateway";

export interface ClientSetupOptions {
  /** The gateway's origin, e.g. `http://127.0.0.1:4141` (no `/v1`). */
  origin: string;
  /** The key clients send: the gateway's API key, or a placeholder the gateway ignores. */
  apiKey: string;
  models: ClientModels;
  shell: Shell;
  /** The command that prints this very setup, for the advice on how to apply it. */
  command: string;
}

export interface ClientSetup {
  target: ClientTarget;
  title: string;
  format: "shell" | "toml" | "json" | "yaml";
  /** How to apply it, one line each; shown as comments above the body (JSON has none: they go beside it). */
  advice: string[];
  /** The configuration or commands themselves, ending in a newline. */
  body: string;
}

/** The command that applies `command`'s environment output in `shell`. */
export function applyCommand(command: string, shell: Shell): string {
  switch (shell) {
    case "powershell":
      return `${command} | Out-String | Invoke-Expression`;
    case "fish":
      return `${command} | source`;
    default:
      return `eval "$(${command})"`;
  }
}

// TOML basic strings and YAML double-quoted scalars accept JSON's string escapes.
const str = (value: string) => JSON.stringify(value);

function singleQuoted(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function codexSetup(o: ClientSetupOptions, at: string): ClientSetup {
  const keyLine = formatEnvironment([[CODEX_KEY_VARIABLE, o.apiKey]], o.shell).trimEnd();
  return {
    target: "codex",
    title: "Codex (~/.codex/config.toml)",
    format: "toml",
    advice: [
      `Codex → copilot-gateway at ${at}. Append to ~/.codex/config.toml: ${o.command} >> ~/.codex/config.toml`,
      `Set the key Codex sends: ${keyLine}`,
      `Then run: codex -c model_provider=${PROVIDER_ID} -m ${o.models.responses}`,
    ],
    body: [
      `[model_providers.${PROVIDER_ID}]`,
      `name = ${str("copilot-gateway")}`,
      `base_url = ${str(`${o.origin}/v1`)}`,
      `env_key = ${str(CODEX_KEY_VARIABLE)}`,
      `wire_api = ${str("responses")}`,
      "",
    ].join("\n"),
  };
}

function opencodeSetup(o: ClientSetupOptions, at: string): ClientSetup {
  const ids = [...new Set([o.models.main, o.models.opus, o.models.smallFast, o.models.responses])].filter(
    (id): id is string => id !== undefined,
  );
  const config = {
    $schema: "https://opencode.ai/config.json",
    provider: {
      [PROVIDER_ID]: {
        npm: "@ai-sdk/openai-compatible",
        name: "copilot-gateway",
        options: { baseURL: `${o.origin}/v1`, apiKey: o.apiKey },
        models: Object.fromEntries(ids.map((id) => [id, { name: id }])),
      },
    },
    model: `${PROVIDER_ID}/${o.models.main}`,
    small_model: `${PROVIDER_ID}/${o.models.smallFast}`,
  };
  return {
    target: "opencode",
    title: "opencode (opencode.json)",
    format: "json",
    advice: [
      `opencode → copilot-gateway at ${at}. Save as opencode.json in your project (or ~/.config/opencode/opencode.json): ${o.command} > opencode.json`,
    ],
    body: `${JSON.stringify(config, null, 2)}\n`,
  };
}

function continueSetup(o: ClientSetupOptions, at: string): ClientSetup {
  const model = (id: string, roles: string[]) => [
    `  - name: ${str(`${id} (Copilot)`)}`,
    "    provider: openai",
    `    model: ${str(id)}`,
    `    apiBase: ${str(`${o.origin}/v1`)}`,
    `    apiKey: ${str(o.apiKey)}`,
    "    roles:",
    ...roles.map((role) => `      - ${role}`),
  ];
  return {
    target: "continue",
    title: "Continue (~/.continue/config.yaml)",
    format: "yaml",
    advice: [
      `Continue → copilot-gateway at ${at}. Save as ~/.continue/config.yaml (or add its models to yours): ${o.command} > ~/.continue/config.yaml`,
    ],
    body: [
      "name: copilot-gateway",
      "version: 1.0.0",
      "schema: v1",
      "models:",
      ...model(o.models.main, ["chat", "edit", "apply"]),
      ...(o.models.smallFast !== o.models.main ? model(o.models.smallFast, ["chat", "summarize"]) : []),
      "",
    ].join("\n"),
  };
}

function curlSetup(o: ClientSetupOptions, at: string): ClientSetup {
  const body = JSON.stringify({
    model: o.models.main,
    messages: [{ role: "user", content: "Say hello in five words." }],
  });
  return {
    target: "curl",
    title: "curl",
    format: "shell",
    advice: [`curl → copilot-gateway at ${at}: one chat completion (bash, zsh or fish).`],
    body: [
      `curl -sS ${singleQuoted(`${o.origin}/v1/chat/completions`)} \\`,
      `  -H 'Content-Type: application/json' \\`,
      `  -H ${singleQuoted(`Authorization: Bearer ${o.apiKey}`)} \\`,
      `  -d ${singleQuoted(body)}`,
      "",
    ].join("\n"),
  };
}

/** One tool's setup for this gateway: environment, configuration file or command, with how to apply it. */
export function clientSetup(target: ClientTarget, o: ClientSetupOptions): ClientSetup {
  const at = o.origin;
  switch (target) {
    case "claude-code":
      return {
        target,
        title: "Claude Code",
        format: "shell",
        advice: [`Claude Code → copilot-gateway at ${at}. Apply with: ${applyCommand(o.command, o.shell)}`],
        body: formatEnvironment(
          claudeCodeEnvironment({ baseUrl: o.origin, apiKey: o.apiKey, models: o.models }),
          o.shell,
        ),
      };
    case "aider":
      return {
        target,
        title: "aider",
        format: "shell",
        advice: [
          `aider → copilot-gateway at ${at}. Apply with: ${applyCommand(o.command, o.shell)}, then run aider`,
        ],
        body: formatEnvironment(
          [
            ["OPENAI_API_BASE", `${o.origin}/v1`],
            ["OPENAI_API_KEY", o.apiKey],
            // aider reaches OpenAI-compatible servers through litellm's `openai/` prefix.
            ["AIDER_MODEL", `openai/${o.models.main}`],
            ["AIDER_WEAK_MODEL", `openai/${o.models.smallFast}`],
          ],
          o.shell,
        ),
      };
    case "codex":
      return codexSetup(o, at);
    case "opencode":
      return opencodeSetup(o, at);
    case "continue":
      return continueSetup(o, at);
    case "curl":
      return curlSetup(o, at);
    default: {
      const unreachable: never = target;
      throw new Error(`unknown target ${String(unreachable)}`);
    }
  }
}

/** The setup as one text: advice as comments above the body (JSON, which has no comments, is the body alone). */
export function renderClientSetup(setup: ClientSetup): string {
  if (setup.format === "json") return setup.body;
  return `${setup.advice.map((line) => `# ${line}`).join("\n")}\n${setup.body}`;
}
