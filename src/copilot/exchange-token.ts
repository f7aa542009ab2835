import { z } from "zod";
import { type GitHubApiRequest, getFromGitHubApi } from "../auth/github-api.js";
import { overrideHint } from "../auth/github-token.js";
import { validateCopilotApiUrl } from "../credentials/copilot-endpoint.js";
import { diagnoseTokenKind, TOKEN_KIND_NAMES, WHAT_WORKS } from "../credentials/token-kind.js";
import { EXIT_CODES, GatewayError } from "../errors.js";
import { headerValue } from "../http/request.js";
import { safeParseJson } from "../util/parse-json.js";
import { type CopilotToken, copilotTokenResponseSchema } from "./copilot-token.js";

/** What the gateway answers its own clients when the exchange fails: rejected 401, no access 403, else 502. */
const HTTP_STATUS_BY_EXIT = new Map<number, number>([
  [EXIT_CODES.tokenRejected, 401],
  [EXIT_CODES.noCopilotAccess, 403],
]);

/** A GitHub token could not be turned into a Copilot token. `code` says why. */
export class TokenExchangeError extends GatewayError {
  readonly httpStatus: number | undefined;
  /** The URL the user should open: the SSO authorization page or the no-seat notice's link. */
  readonly url: string | undefined;
  /** `error_details.notification_id` (no_copilot_access, subscription_ended, …) when GitHub sent one. */
  readonly notificationId: string | undefined;
  constructor(
    code: string,
    message: string,
    opts: {
      httpStatus?: number;
      url?: string;
      notificationId?: string;
      /** HTTP status for the gateway's own clients; derived from the exit code when absent (else 502). */
      status?: number;
      exitCode?: (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
    } = {},
  ) {
    super(code, message, {
      exitCode: opts.exitCode ?? EXIT_CODES.tokenRejected,
      status: opts.status ?? HTTP_STATUS_BY_EXIT.get(opts.exitCode ?? EXIT_CODES.tokenRejected) ?? 502,
    });
    this.httpStatus = opts.httpStatus;
    this.url = opts.url;
    this.notificationId = opts.notificationId;
  }
}

const errorDetailsSchema = z
  .object({
    message: z.string().optional(),
    error_details: z
      .object({
        message: z.string().optional(),
        url: z.string().optional(),
        notification_id: z.string().optional(),
      })
      .optional(),
  })
  .passthrough();

/** Parse `X-GitHub-SSO: required; url=https://github.com/orgs/ORG/sso?authorization_request=…`. */
export function parseSsoHeader(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /url=([^\s;,]+)/.exec(value)?.[1];
}

export interface ExchangeOptions extends GitHubApiRequest {
  now?: () => number;
}

/** `GET {api}/copilot_internal/v2/token` (spec §3), with every failure mapped to a one-line typed error. */
export async function exchangeCopilotToken(options: ExchangeOptions): Promise<CopilotToken> {
  const { endpoints, githubToken } = options;
  const { response, text } = await getFromGitHubApi(options, "/copilot_internal/v2/token");
  const from = `the token from ${githubToken.label}`;
  if (response.statusCode === 200) {
    const parsed = safeParseJson(copilotTokenResponseSchema, text);
    if (!parsed.success) {
      throw new TokenExchangeError(
        "exchange_invalid_response",
        `${endpoints.apiUrl} answered the Copilot token exchange with an unexpected body; check COPILOT_GATEWAY_GITHUB_API_URL or your proxy.`,
        { httpStatus: 200 },
      );
    }
    const data = parsed.data;
    return {
      token: data.token,
      expiresAt: data.expires_at,
      refreshIn: data.refresh_in,
      receivedAt: (options.now ?? performance.now.bind(performance))(),
      // The override is the operator's; endpoints.api is untrusted until checked (spec §11).
      apiUrl: (
        endpoints.copilotApiUrlOverride ??
        (data.endpoints?.api
          ? validateCopilotApiUrl(data.endpoints.api, endpoints, "the Copilot token exchange's endpoints.api")
          : endpoints.fallbackCopilotApiUrl)
      ).replace(/\/+$/, ""),
      sku: data.sku,
      chatEnabled: data.chat_enabled,
    };
  }
  let body: z.infer<typeof errorDetailsSchema> = {};
  try {
    body = errorDetailsSchema.parse(JSON.parse(text));
  } catch {
    body = { message: text.trim() };
  }
  const status = response.statusCode;
  const sso = parseSsoHeader(headerValue(response.headers, "x-github-sso"));
  if (sso) {
    throw new TokenExchangeError(
      "sso_required",
      `${from} must be authorized for your organization's SAML SSO: open ${sso} , approve, then retry.`,
      { httpStatus: status, url: sso, exitCode: EXIT_CODES.noCopilotAccess },
    );
  }
  if (status === 401) {
    throw new TokenExchangeError(
      "bad_credentials",
      `${from} was rejected by ${endpoints.host} (bad credentials: revoked, expired or mistyped); run \`copilot-gateway login\` to sign in again${overrideHint(githubToken)}.`,
      { httpStatus: status },
    );
  }
  if ((status === 403 || status === 404) && body.error_details) {
    const details = body.error_details;
    const what = (details.message ?? body.message ?? "Copilot is not available for this account").replace(
      /\.+$/,
      "",
    );
    const link = details.url ? ` See ${details.url}` : "";
    throw new TokenExchangeError("no_copilot_access", `${from} has no Copilot access: ${what}.${link}`, {
      httpStatus: status,
      ...(details.url && { url: details.url }),
      ...(details.notification_id && { notificationId: details.notification_id }),
      exitCode: EXIT_CODES.noCopilotAccess,
    });
  }
  if (status === 403 && /rate limit/i.test(body.message ?? "")) {
    throw new TokenExchangeError(
      "github_rate_limited",
      `${endpoints.host} rate-limited ${from} (${body.message?.replace(/\.+$/, "")}); wait a few minutes and retry.`,
      { httpStatus: status, exitCode: EXIT_CODES.upstream, status: 429 },
    );
  }
  if (status === 404 || (status === 400 && /personal access token/i.test(body.message ?? ""))) {
    const kind = TOKEN_KIND_NAMES[diagnoseTokenKind(githubToken.value)];
    throw new TokenExchangeError(
      "token_cannot_use_copilot",
      `${from}, ${kind}, was refused by the Copilot token exchange (HTTP ${status}): it does not take this kind of token, or tokens of the app that issued it; use ${WHAT_WORKS}${overrideHint(githubToken)}.`,
      { httpStatus: status },
    );
  }
  throw new TokenExchangeError(
    "exchange_failed",
    `The Copilot token exchange for ${from} failed with HTTP ${status}${body.message ? ` (${body.message.replace(/\.+$/, "")})` : ""}; retry in a moment.`,
    { httpStatus: status, exitCode: EXIT_CODES.upstream },
  );
}
