import {
  type ClaudeCodeModels,
  claudeCodeEnvironment,
  formatEnvironment,
  PLACEHOLDER_AUTH_TOKEN,
} from "../anthropic/claude-code-env.js";
import type { Snippet } from "./page-types.js";

export interface SnippetOptions {
  /** The gateway's origin as the browser reached it, e.g. `http://127.0.0.1:4141`. */
  origin: string;
  /** When the gateway requires an API key, snippets show a placeholder for it (never the key itself). */
  apiKeyRequired: boolean;
  /** Claude Code's models picked from the live catalogue; without them only the URL and token are set. */
  claudeCodeModels?: ClaudeCodeModels | undefined;
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
    {
      id: "claude-code",
      title: "Claude Code (bash/zsh)",
      language: "shell",
      text: formatEnvironment(claudeEnv, "bash").trimEnd(),
    },
  ];
}
