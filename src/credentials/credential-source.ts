import type { GitHubToken } from "../auth/github-token.js";
import type { GitHubAppConfig } from "./github-app/app-config.js";

/**
 * Which credential to use, as plain data: decided without any network call (precedence, prefixes), then turned
 * into a live `CopilotCredential` by `createCopilotCredential()`.
 */
export type CredentialSource =
  /** A GitHub token: user token, fine-grained PAT or Actions token (told apart by its prefix). */
  | { kind: "github-token"; token: GitHubToken }
  /** A GitHub App installation billed to the organisation. */
  | { kind: "github-app"; app: GitHubAppConfig }
  /** A Copilot token used as is, with the operator's base URL when given. */
  | { kind: "copilot-token"; token: string; apiUrl: string | undefined; label: string };
