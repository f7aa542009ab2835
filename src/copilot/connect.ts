import type { Settings } from "../config/settings.js";
import type { CredentialSource } from "../credentials/credential-source.js";
import { resolveCredentialSource } from "../credentials/resolve-credential.js";
import { type CopilotClient, type CopilotClientOptions, createCopilotClient } from "./client.js";
import { type CopilotSessionOptions, createCopilotSession } from "./session.js";

export interface ConnectOptions extends CopilotClientOptions {
  settings: Settings;
  env?: NodeJS.ProcessEnv;
  /** The credential when already resolved (the CLI resolves it before loading the HTTP stack). */
  source?: CredentialSource | undefined;
  session?: Omit<CopilotSessionOptions, "settings" | "githubToken" | "source" | "credential">;
}

/** Resolve the credential (flag, GitHub App, Copilot token, env, stored login), open a session, return its client. */
export function connectCopilot(options: ConnectOptions): CopilotClient {
  const env = options.env ?? process.env;
  const source =
    options.source ?? resolveCredentialSource(options.settings, env, { warn: options.session?.warn });
  const session = createCopilotSession({ env, ...options.session, settings: options.settings, source });
  return createCopilotClient(session, options);
}
