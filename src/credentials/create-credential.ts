import type { Dispatcher } from "undici";
import type { Settings } from "../config/settings.js";
import type { CopilotCredential } from "./copilot-credential.js";
import { createCopilotTokenCredential } from "./copilot-token-credential.js";
import type { CredentialSource } from "./credential-source.js";
import { createGitHubAppCredential } from "./github-app-credential.js";
import { createUserTokenCredential } from "./user-token-credential.js";

export interface CreateCredentialOptions {
  settings: Settings;
  /** The pooled HTTP dispatcher every GitHub and Copilot call of this credential goes through. */
  dispatcher: Dispatcher;
  /** For one-off warnings (clock drift). */
  warn?: ((message: string) => void) | undefined;
  /** The environment, to tell an Actions job (GITHUB_ACTIONS=true). */
  env?: NodeJS.ProcessEnv | undefined;
}

/** The factory: one live credential for a source. No network call happens until a token is asked for. */
export function createCopilotCredential(
  source: CredentialSource,
  options: CreateCredentialOptions,
): CopilotCredential {
  const { settings, dispatcher } = options;
  switch (source.kind) {
    case "github-token":
      return createUserTokenCredential({
        settings,
        dispatcher,
        githubToken: source.token,
        inActions: (options.env ?? process.env).GITHUB_ACTIONS === "true",
      });
    case "github-app":
      return createGitHubAppCredential({ settings, dispatcher, app: source.app, warn: options.warn });
    case "copilot-token":
      return createCopilotTokenCredential({
        settings,
        token: source.token,
        apiUrl: source.apiUrl,
        label: source.label,
      });
  }
}
