import type { Dispatcher } from "undici";
import { z } from "zod";
import type { EditorIdentity } from "../../config/editor-headers.js";
import type { Endpoints } from "../../config/hosts.js";
import { EXIT_CODES, GatewayError } from "../../errors.js";
import { headerValue, readText, sendHttp } from "../../http/request.js";
import { safeParseJson } from "../../util/parse-json.js";
import type { GitHubAppConfig } from "./app-config.js";

/** Minting an installation token failed (spec §9 step 3). `permanent` failures are not retried at once. */
export class InstallationTokenError extends GatewayError {
  readonly httpStatus: number | undefined;
  readonly permanent: boolean;
  /** GitHub's clock minus ours (ms) from the failed answer's `Date` header, when it had one. */
  readonly clockOffsetMs: number | undefined;
  constructor(
    code: string,
    message: string,
    opts: {
      httpStatus?: number;
      permanent: boolean;
      exitCode?: (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
      clockOffsetMs?: number | undefined;
    },
  ) {
    super(code, message, {
      exitCode: opts.exitCode ?? EXIT_CODES.tokenRejected,
      status: opts.permanent ? 401 : 502,
    });
    this.httpStatus = opts.httpStatus;
    this.permanent = opts.permanent;
    this.clockOffsetMs = opts.clockOffsetMs;
  }
}

/** A freshly minted `ghs_` token. */
export interface InstallationToken {
  token: string;
  /** RFC 3339 expiry as GitHub said (display). */
  expiresAt: string;
  /** Lifetime in ms measured against GitHub's own `Date` header (so a wrong local clock does not matter). */
  lifetimeMs: number;
  /**
   * For a token minted by another process (shared through Redis): renew it after this many ms, when that process
   * would, instead of by the usual margin before `lifetimeMs` ends.
   */
  refreshInMs?: number | undefined;
}

export interface MintResult {
  token: InstallationToken;
  /** GitHub's clock minus ours (ms), from the answer's `Date` header; undefined without one. */
  clockOffsetMs: number | undefined;
}

const answerSchema = z.object({ token: z.string().min(1), expires_at: z.string() }).passthrough();

/** Our clock vs GitHub's, from a `Date` header (1 s resolution). */
export function clockOffsetFromDate(date: string | undefined, localNowMs: number): number | undefined {
  if (!date) return undefined;
  const remote = Date.parse(date);
  return Number.isNaN(remote) ? undefined : remote - localNowMs;
}

/**
 * `POST {api}/app/installations/{id}/access_tokens` with the App JWT, asking for `copilot_requests: write` on one
 * repository (spec §9 step 3). Every documented failure becomes one line naming the setting that fixes it.
 */
export async function mintInstallationToken(options: {
  app: GitHubAppConfig;
  jwt: string;
  endpoints: Endpoints;
  identity: EditorIdentity;
  dispatcher: Dispatcher;
  signal?: AbortSignal | undefined;
  /** Wall clock (ms) when the request was sent, for the drift estimate. */
  localNowMs: number;
  /** A drift already known, worded into a 401's message. */
  knownDriftMs?: number | undefined;
}): Promise<MintResult> {
  const { app, endpoints } = options;
  const url = `${endpoints.apiUrl}/app/installations/${encodeURIComponent(app.installationId)}/access_tokens`;
  const response = await sendHttp({
    method: "POST",
    url,
    dispatcher: options.dispatcher,
    signal: options.signal,
    headers: {
      authorization: `Bearer ${options.jwt}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": options.identity.userAgent,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      repository_ids: [app.repositoryId],
      permissions: { copilot_requests: "write" },
    }),
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
  });
  const text = await readText(response);
  const clockOffsetMs = clockOffsetFromDate(headerValue(response.headers, "date"), options.localNowMs);
  const status = response.statusCode;
  const n = app.names;
  const which = `installation ${app.installationId} of GitHub App ${app.appId}`;
  if (status === 201 || status === 200) {
    const parsed = safeParseJson(answerSchema, text);
    const expires = parsed.success ? Date.parse(parsed.data.expires_at) : Number.NaN;
    if (!parsed.success || Number.isNaN(expires))
      throw new InstallationTokenError(
        "installation_token_invalid_response",
        `${endpoints.apiUrl} answered the installation token request with an unexpected body; check COPILOT_GATEWAY_GITHUB_API_URL or your proxy.`,
        { httpStatus: status, permanent: false, exitCode: EXIT_CODES.upstream },
      );
    // Lifetime against GitHub's clock: its expires_at minus its Date (our clock only when it sent none).
    const issuedAt = options.localNowMs + (clockOffsetMs ?? 0);
    return {
      token: { token: parsed.data.token, expiresAt: parsed.data.expires_at, lifetimeMs: expires - issuedAt },
      clockOffsetMs,
    };
  }
  const message = safeParseJson(z.object({ message: z.string() }).passthrough(), text);
  const said = message.success ? ` (${message.data.message.replace(/\.+$/, "")})` : "";
  const drift = clockOffsetMs ?? options.knownDriftMs;
  if (status === 401) {
    const clock =
      drift !== undefined && Math.abs(drift) >= 30_000
        ? ` This machine's clock is ${Math.round(Math.abs(drift) / 1000)} s ${drift > 0 ? "behind" : "ahead of"} GitHub's: sync it (NTP).`
        : " Also check this machine's clock (the JWT is only valid for 10 minutes).";
    throw new InstallationTokenError(
      "github_app_jwt_rejected",
      `GitHub rejected the App's JWT for ${which} (HTTP 401${said}): check that ${n.appId} is the App's id and ${n.privateKey} is a current private key of that App.${clock}`,
      { httpStatus: status, permanent: true, clockOffsetMs },
    );
  }
  if (status === 403)
    throw new InstallationTokenError(
      "github_app_forbidden",
      `GitHub refused to mint a token for ${which} (HTTP 403${said}): the credentials in ${n.appId} / ${n.privateKey} are not a GitHub App's, or the App lacks the organisation permission "Copilot Requests"; fix the App id and key, or grant the permission in the App's settings.`,
      { httpStatus: status, permanent: true, exitCode: EXIT_CODES.noCopilotAccess },
    );
  if (status === 404)
    throw new InstallationTokenError(
      "github_app_installation_not_found",
      `GitHub App ${app.appId} has no installation ${app.installationId} (HTTP 404): install the App on the organisation to bill and set ${n.installationId} to that installation's id (the number at the end of its settings URL).`,
      { httpStatus: status, permanent: true },
    );
  if (status === 422)
    throw new InstallationTokenError(
      "github_app_repository_not_visible",
      `Repository ${app.repositoryId} is not visible to ${which} (HTTP 422${said}): set ${n.repositoryId} to the id of a repository the installation can see (install it on All repositories).`,
      { httpStatus: status, permanent: true, exitCode: EXIT_CODES.usage },
    );
  throw new InstallationTokenError(
    "installation_token_failed",
    `GitHub answered HTTP ${status}${said} when minting a token for ${which}; retry in a moment.`,
    { httpStatus: status, permanent: false, exitCode: EXIT_CODES.upstream },
  );
}
