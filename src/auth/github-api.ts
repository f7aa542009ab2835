import type { Dispatcher } from "undici";
import { type EditorIdentity, githubEditorHeaders } from "../config/editor-headers.js";
import type { Endpoints } from "../config/hosts.js";
import { type HttpResponse, readText, sendHttp } from "../http/request.js";
import type { GitHubToken } from "./github-token.js";

/** What a call to GitHub's REST API with the user's GitHub token needs. */
export interface GitHubApiRequest {
  endpoints: Endpoints;
  identity: EditorIdentity;
  dispatcher: Dispatcher;
  githubToken: GitHubToken;
  signal?: AbortSignal | undefined;
}

/**
 * `GET {api}{path}` with `Authorization: token …` and the editor headers (enterprise rejects Copilot's endpoints
 * without them). Returns the response with its body read as text.
 */
export async function getFromGitHubApi(
  req: GitHubApiRequest,
  path: string,
): Promise<{ response: HttpResponse; text: string }> {
  const response = await sendHttp({
    method: "GET",
    url: `${req.endpoints.apiUrl}${path}`,
    dispatcher: req.dispatcher,
    signal: req.signal,
    headers: {
      authorization: `token ${req.githubToken.value}`,
      accept: "application/json",
      ...githubEditorHeaders(req.identity),
    },
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
  });
  return { response, text: await readText(response) };
}
