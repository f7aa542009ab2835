/**
 * The identity copilot-gateway presents to GitHub and Copilot (spec §3–4). All version strings live here so that
 * a rejected client version (HTTP 466) is fixed by one edit or one environment variable.
 */
export interface EditorIdentity {
  editorVersion: string;
  editorPluginVersion: string;
  userAgent: string;
  integrationId: string;
  openaiIntent: string;
  /** `X-GitHub-Api-Version` sent to the Copilot API. */
  copilotApiVersion: string;
  /** `X-GitHub-Api-Version` sent to api.github.com for the token exchange. */
  githubApiVersion: string;
}

export const DEFAULT_EDITOR_IDENTITY: Readonly<EditorIdentity> = Object.freeze({
  editorVersion: "vscode/1.104.3",
  editorPluginVersion: "copilot-chat/0.26.7",
  userAgent: "GitHubCopilotChat/0.26.7",
  integrationId: "vscode-chat",
  openaiIntent: "conversation-panel",
  copilotApiVersion: "2025-05-01",
  githubApiVersion: "2025-04-01",
});

/** Headers for api.github.com calls that Copilot's backend inspects (enterprise rejects the exchange without them). */
export function githubEditorHeaders(identity: EditorIdentity): Record<string, string> {
  return {
    "editor-version": identity.editorVersion,
    "editor-plugin-version": identity.editorPluginVersion,
    "user-agent": identity.userAgent,
    "x-github-api-version": identity.githubApiVersion,
  };
}
