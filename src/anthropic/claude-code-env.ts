import type { Shell } from "../clients/shell.js";
import { type CopilotModel, defaultChatModel, isChatModel, modelPolicyState } from "../copilot/models.js";
import { UsageError } from "../errors.js";

export { detectShell, parseShell, SHELLS, type Shell } from "../clients/shell.js";

/** Shown instead of a key when the gateway has none: Claude Code insists on some token, the gateway ignores it. */
export const PLACEHOLDER_AUTH_TOKEN = "copilot-gateway";

/**
 * Claude Code's switches for traffic a gateway user does not want: CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC covers
 * the auto-updater, /bug reports, error reporting and telemetry at once; the three others are spelt out for
 * versions that read them one by one.
 */
const QUIET_VARIABLES: [string, string][] = [
  ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"],
  ["DISABLE_TELEMETRY", "1"],
  ["DISABLE_ERROR_REPORTING", "1"],
  ["DISABLE_BUG_COMMAND", "1"],
];

export interface ClaudeCodeModels {
  /** The main model: the newest Claude Sonnet, else the newest Claude, else the catalogue's chat default. */
  main: string;
  /** For Claude Code's background calls: a Claude Haiku, else a model with no premium multiplier, else `main`. */
  smallFast: string;
  /** The newest Claude Opus, when the seat has one (Claude Code's "opus" choice). */
  opus: string | undefined;
}

function version(id: string): number[] {
  return (/(\d+(?:[.-]\d+)*)/.exec(id.replace(/-\d{8}$/, ""))?.[1] ?? "")
    .split(/[.-]/)
    .filter((p) => p !== "")
    .map(Number);
}

function newest(models: CopilotModel[]): CopilotModel | undefined {
  return [...models].sort((a, b) => {
    const va = version(a.id);
    const vb = version(b.id);
    for (let i = 0; i < Math.max(va.length, vb.length); i++) {
      const diff = (vb[i] ?? 0) - (va[i] ?? 0);
      if (diff !== 0) return diff;
    }
    return a.id.length - b.id.length;
  })[0];
}

/** Pick Claude Code's models from the live catalogue (never a fixed list: model ids are retired every few months). */
export function chooseClaudeCodeModels(catalogue: readonly CopilotModel[]): ClaudeCodeModels {
  const usable = catalogue.filter((m) => isChatModel(m) && modelPolicyState(m) === "enabled");
  const claude = usable.filter((m) => m.id.toLowerCase().startsWith("claude"));
  const family = (name: string) => claude.filter((m) => m.id.toLowerCase().includes(name));
  const main = newest(family("sonnet")) ?? newest(claude) ?? defaultChatModel(catalogue);
  if (!main)
    throw new UsageError(
      "This Copilot seat offers no enabled chat model; run `copilot-gateway models` to see why.",
      "no_chat_model",
    );
  const free = usable.filter((m) => m.billing?.multiplier === 0 || m.billing?.is_premium === false);
  const smallFast =
    newest(family("haiku")) ??
    free.find((m) => m.is_chat_default) ??
    free.find((m) => m.model_picker_enabled) ??
    main;
  return { main: main.id, smallFast: smallFast.id, opus: newest(family("opus"))?.id };
}

/** The variables that point Claude Code at the gateway, in print order. */
export function claudeCodeEnvironment(options: {
  baseUrl: string;
  apiKey: string | undefined;
  models: ClaudeCodeModels;
}): [string, string][] {
  const { models } = options;
  return [
    ["ANTHROPIC_BASE_URL", options.baseUrl.replace(/\/+$/, "")],
    ["ANTHROPIC_AUTH_TOKEN", options.apiKey ?? PLACEHOLDER_AUTH_TOKEN],
    ["ANTHROPIC_MODEL", models.main],
    ["ANTHROPIC_DEFAULT_SONNET_MODEL", models.main],
    ...(models.opus ? ([["ANTHROPIC_DEFAULT_OPUS_MODEL", models.opus]] as [string, string][]) : []),
    ["ANTHROPIC_DEFAULT_HAIKU_MODEL", models.smallFast],
    // The older name of the Haiku setting, still read by Claude Code versions before 2.x.
    ["ANTHROPIC_SMALL_FAST_MODEL", models.smallFast],
    // Claude Code (2.1.126+) then fills its /model picker from the gateway's GET /v1/models (its Claude models).
    ["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY", "1"],
    ...QUIET_VARIABLES,
  ];
}

function quote(value: string, shell: Shell): string {
  switch (shell) {
    case "bash":
    case "zsh":
      return `'${value.replaceAll("'", `'\\''`)}'`;
    case "fish":
      return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
    case "powershell":
      return `'${value.replaceAll("'", "''")}'`;
    default: {
      const unreachable: never = shell;
      throw new Error(`unknown shell ${String(unreachable)}`);
    }
  }
}

/** The lines that set `variables` in `shell`, ready for `eval "$(…)"` (or `| Invoke-Expression`). */
export function formatEnvironment(variables: readonly [string, string][], shell: Shell): string {
  const lines = variables.map(([name, value]) => {
    switch (shell) {
      case "bash":
      case "zsh":
        return `export ${name}=${quote(value, shell)}`;
      case "fish":
        return `set -gx ${name} ${quote(value, shell)}`;
      case "powershell":
        return `$env:${name} = ${quote(value, shell)}`;
      default: {
        const unreachable: never = shell;
        throw new Error(`unknown shell ${String(unreachable)}`);
      }
    }
  });
  return `${lines.join("\n")}\n`;
}
