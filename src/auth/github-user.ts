import { z } from "zod";
import { parseSsoHeader, TokenExchangeError } from "../copilot/exchange-token.js";
import { EXIT_CODES, GatewayError } from "../errors.js";
import { headerValue } from "../http/request.js";
import { safeParseJson } from "../util/parse-json.js";
import { type GitHubApiRequest, getFromGitHubApi } from "./github-api.js";
import { overrideHint } from "./github-token.js";

export interface GitHubUser {
  login: string;
  /** GitHub's numeric account id (stable across renames), when the answer had one. */
  id?: number | undefined;
  /**
   * An SSO authorization URL GitHub attached (`X-GitHub-SSO: required; url=…`): an organisation still needs this
   * token authorized. Undefined when nothing is pending.
   */
  ssoUrl: string | undefined;
}

export type FetchGitHubUserOptions = GitHubApiRequest;

const userSchema = z.object({ login: z.string().min(1), id: z.number().int().optional() }).passthrough();

/** `GET {api}/user`: who the token belongs to, and whether an SSO organisation still wants it authorized. */
export async function fetchGitHubUser(options: FetchGitHubUserOptions): Promise<GitHubUser> {
  const { endpoints, githubToken } = options;
  const { response, text } = await getFromGitHubApi(options, "/user");
  const ssoUrl = parseSsoHeader(headerValue(response.headers, "x-github-sso"));
  const from = `the token from ${githubToken.label}`;
  if (response.statusCode === 200) {
    const parsed = safeParseJson(userSchema, text);
    if (!parsed.success) {
      throw new GatewayError(
        "user_invalid_response",
        `${endpoints.apiUrl}/user answered with an unexpected body; check COPILOT_GATEWAY_GITHUB_API_URL or your proxy.`,
        { exitCode: EXIT_CODES.upstream, status: 502 },
      );
    }
    return { login: parsed.data.login, id: parsed.data.id, ssoUrl };
  }
  if (ssoUrl) {
    throw new TokenExchangeError(
      "sso_required",
      `${from} must be authorized for your organization's SAML SSO: open ${ssoUrl} , approve, then retry.`,
      { httpStatus: response.statusCode, url: ssoUrl, exitCode: EXIT_CODES.noCopilotAccess },
    );
  }
  if (response.statusCode === 401) {
    throw new TokenExchangeError(
      "bad_credentials",
      `${from} was rejected by ${endpoints.host} (bad credentials: revoked, expired or mistyped); run \`copilot-gateway login\` to sign in again${overrideHint(githubToken)}.`,
      { httpStatus: 401 },
    );
  }
  throw new GatewayError(
    "user_lookup_failed",
    `${endpoints.apiUrl}/user answered HTTP ${response.statusCode} for ${from}; retry later.`,
    { exitCode: EXIT_CODES.upstream, status: 502 },
  );
}
