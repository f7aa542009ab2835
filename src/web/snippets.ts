import {
  type ClaudeCodeModels,
  claudeCodeEnvironment,
  formatEnvironment,
  PLACEHOLDER_AUTH_TOKEN,
} from "../anthropic/claude-code-env.js";
import type { ClientModels } from "../clients/client-models.js";
import { CLIENT_TARGETS, clientSetup, renderClientSetup } from "../clients/client-setup.js";
import type { Snippet } from "./page-types.js";

export interface SnippetOptions {
  /** The gateway's origin as the browser reached it, e.g. `http://127.0.0.1:4141`. */
  origin: string;
  /** When the gateway requires an API key, snippets show a placeholder for it (never the key itself). */
  apiKeyRequired: boolean;
  /** Claude Code's models picked from the live catalogue; without them only the URL and token are set. */
  claudeCodeModels?: ClaudeCodeModels | ClientModels | undefined;
}

const KEY_PLACEHOLDER = "YOUR_GATEWAY_API_KEY";

/** Copy-paste setups for the common clients, pointing at this gateway. */
export function gatewaySnippets(options: SnippetOptions): Snippet[] {
  const origin = options.origin.replace(/\/+$/, "");
  const baseUrl = `${origin}/v1`;
  // The SDKs insist on some key; the gateway ignores it unless keys are configured.
  const key = options.apiKeyRequired ? KEY_PLACEHOLDER : "unused";
  const apiKey = options.apiKeyRequired ? KEY_PLACEHOLDER : undefined;
  const claudeEnv: [string, string][] = options.claudeCodeModels
    ? claudeCodeEnvironment({ baseUrl: origin, apiKey, models: options.claudeCodeModels })
    : [
        ["ANTHROPIC_BASE_URL", origin],
        ["ANTHROPIC_AUTH_TOKEN", apiKey ?? PLACEHOLDER_AUTH_TOKEN],
      ];
  return [
    { id: "base-url", title: "OpenAI base URL", language: "text", text: baseUrl },
    {
      id: "python",
      title: "Python (openai)",
      language: "python",
      text: `from openai import OpenAI\nclient = OpenAI(base_url="${baseUrl}", api_key="${key}")`,
    },
    {
      id: "javascript",
      title: "JavaScript (openai)",
      language: "javascript",
      text: `import OpenAI from "openai";\nconst client = new OpenAI({ baseURL: "${baseUrl}", apiKey: "${key}" });`,
    },
    ...clientSnippets(origin, apiKey, options.claudeCodeModels, claudeEnv),
  ];
}

/**
 * The same setups `copilot-gateway env TARGET` prints (bash syntax), when the catalogue gave the models; without
 * it only Claude Code's URL and token are shown.
 */
function clientSnippets(
  origin: string,
  apiKey: string | undefined,
  models: ClaudeCodeModels | ClientModels | undefined,
  claudeEnv: [string, string][],
): Snippet[] {
  if (!models || !("responses" in models))
    return [
      {
        id: "claude-code",
        title: "Claude Code (bash/zsh)",
        language: "shell",
        text: formatEnvironment(claudeEnv, "bash").trimEnd(),
      },
    ];
  return CLIENT_TARGETS.map((target) => {
    const setup = clientSetup(target, {
      origin,
      apiKey: apiKey ?? PLACEHOLDER_AUTH_TOKEN,
      models,
      shell: "bash",
      command: `copilot-gateway env ${target}`,
    });
    return {
      id: target,
      title: setup.title,
      language: setup.format,
      text: renderClientSetup(setup).trimEnd(),
    };
  });
}
