import { resolveGitHubToken } from "../auth/resolve-github-token.js";
import type { Settings } from "../config/settings.js";
import { type CopilotClient, type CopilotClientOptions, createCopilotClient } from "./client.js";
import { type CopilotSessionOptions, createCopilotSession } from "./session.js";

export interface ConnectOptions extends CopilotClientOptions {
  settings: Settings;
  env?: NodeJS.ProcessEnv;
  session?: Omit<CopilotSessionOptions, "settings" | "githubToken">;
}

/** Resolve the GitHub token (flag, env, stored login), open a session and return its client. */
export function connectCopilot(options: ConnectOptions): CopilotClient {
  const githubToken = resolveGitHubToken(options.settings, options.env ?? process.env);
  const session = createCopilotSession({ ...options.session, settings: options.settings, githubToken });
  return createCopilotClient(session, options);
}
