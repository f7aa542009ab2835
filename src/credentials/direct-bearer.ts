import type { Dispatcher } from "undici";
import { z } from "zod";
import { getFromGitHubApi } from "../auth/github-api.js";
import type { GitHubToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import type { CopilotToken } from "../copilot/copilot-token.js";
import { copilotHeaders } from "../copilot/transport.js";
import { EXIT_CODES, GatewayError } from "../errors.js";
import { sendHttp } from "../http/request.js";
import { safeParseJson } from "../util/parse-json.js";
import { validateCopilotApiUrl } from "./copilot-endpoint.js";

/** How long a direct bearer is used before its base URL is read and the token probed again. */
export const DIRECT_BEARER_RECHECK_SECONDS = 3600;

const userEndpointsSchema = z
  .object({ endpoints: z.object({ api: z.string() }).passthrough() })
  .passthrough();

/**
 * The Copilot API base for a token used directly: the operator's override, else `copilot_internal/user`'s
 * `endpoints.api` (validated, spec §11), else the account type's. An untrusted `endpoints.api` is refused (thrown),
 * never used; any other failure of that call simply falls back to the account type.
 */
export async function directCopilotApiUrl(options: {
  settings: Settings;
  dispatcher: Dispatcher;
  githubToken: GitHubToken;
  signal?: AbortSignal | undefined;
}): Promise<string> {
  const { endpoints } = options.settings;
  if (endpoints.copilotApiUrlOverride) return endpoints.copilotApiUrlOverride;
  let api: string | undefined;
  try {
    const { response, text } = await getFromGitHubApi(
      { ...options, endpoints, identity: options.settings.identity },
      "/copilot_internal/user",
    );
    const parsed = response.statusCode === 200 ? safeParseJson(userEndpointsSchema, text) : undefined;
    api = parsed?.success ? parsed.data.endpoints.api : undefined;
  } catch {
    api = undefined; // unreachable or odd: the account type still gives a usable base
  }
  if (api) return validateCopilotApiUrl(api, endpoints, "copilot_internal/user's endpoints.api");
  return endpoints.fallbackCopilotApiUrl;
}

/** The result of trying a GitHub token as the bearer on the Copilot API. */
export type DirectProbe = { ok: true; token: CopilotToken } | { ok: false; status: number };

/**
 * Try a GitHub token directly as the bearer on the Copilot API (spec §9): one `GET /models`. 2xx means it works;
 * 401/403/404 mean Copilot refuses it (returned, for the caller to word); anything else (5xx, network) is thrown.
 */
export async function probeDirectBearer(options: {
  settings: Settings;
  dispatcher: Dispatcher;
  githubToken: GitHubToken;
  now: () => number;
  signal?: AbortSignal | undefined;
}): Promise<DirectProbe> {
  const apiUrl = await directCopilotApiUrl(options);
  const response = await sendHttp({
    method: "GET",
    url: `${apiUrl}/models`,
    dispatcher: options.dispatcher,
    signal: options.signal,
    headers: copilotHeaders(options.settings.identity, options.githubToken.value, {
      method: "GET",
      path: "/models",
    }),
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
  });
  await response.body.dump();
  const status = response.statusCode;
  if (status >= 200 && status < 300)
    return {
      ok: true,
      token: {
        token: options.githubToken.value,
        expiresAt: Math.floor(Date.now() / 1000) + DIRECT_BEARER_RECHECK_SECONDS,
        refreshIn: DIRECT_BEARER_RECHECK_SECONDS,
        receivedAt: options.now(),
        apiUrl,
        sku: undefined,
        chatEnabled: undefined,
        bearer: "direct",
      },
    };
  if (status === 401 || status === 403 || status === 404) return { ok: false, status };
  throw new GatewayError(
    "direct_probe_failed",
    `The Copilot API (${apiUrl}) answered HTTP ${status} when trying the token from ${options.githubToken.label} directly; retry in a moment.`,
    { exitCode: EXIT_CODES.upstream, status: 502 },
  );
}
