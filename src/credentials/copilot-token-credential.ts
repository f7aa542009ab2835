import { maskToken } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import { EXIT_CODES, GatewayError } from "../errors.js";
import type { CopilotCredential, CredentialInfo } from "./copilot-credential.js";
import { validateCopilotApiUrl } from "./copilot-endpoint.js";

export interface CopilotTokenCredentialOptions {
  settings: Settings;
  /** The Copilot token itself (`tid=…;exp=…;…`). */
  token: string;
  /** COPILOT_API_URL: the operator's explicit base (exempt from the §11 checks). */
  apiUrl?: string | undefined;
  /** Where it came from, e.g. "GITHUB_COPILOT_API_TOKEN". */
  label: string;
  /** Wall clock (ms) and monotonic clock; injectable for tests. */
  wallClock?: (() => number) | undefined;
  now?: (() => number) | undefined;
}

/** Without an `exp=` field the token is assumed good for a day; Copilot's 401 then says otherwise. */
const UNKNOWN_LIFETIME_SECONDS = 86_400;

/** A field of a Copilot token (`key=value;` pairs before the `:mac`). */
export function copilotTokenField(token: string, name: string): string | undefined {
  for (const part of token.split(":")[0]?.split(";") ?? []) {
    const [key, ...rest] = part.split("=");
    if (key?.trim() === name) return rest.join("=").trim();
  }
  return undefined;
}

const LASTING =
  "for a lasting setup use `copilot-gateway login`, a fine-grained PAT with Copilot Requests (COPILOT_GITHUB_TOKEN) or a GitHub App installation (--github-app-id …)";

/**
 * A ready Copilot token (GITHUB_COPILOT_API_TOKEN with COPILOT_API_URL, the official SDK's names): used as is, never
 * refreshed, since nothing here can mint another. Its expiry (`exp=`), or Copilot rejecting it, is one clear error.
 * The base URL: COPILOT_API_URL, else the COPILOT_GATEWAY_COPILOT_API_URL override, else the token's own
 * `proxy-ep` (proxy.X → api.X, validated), else the account type's.
 */
export function createCopilotTokenCredential(options: CopilotTokenCredentialOptions): CopilotCredential {
  const { settings, token, label } = options;
  const wall = options.wallClock ?? Date.now;
  const now = options.now ?? (() => performance.now());
  const exp = Number(copilotTokenField(token, "exp"));
  const expiresAt = Number.isFinite(exp) && exp > 0 ? exp : undefined;
  const sku = copilotTokenField(token, "sku");
  const proxy = copilotTokenField(token, "proxy-ep");
  const apiUrl = (): string => {
    const explicit = options.apiUrl ?? settings.endpoints.copilotApiUrlOverride;
    if (explicit) return explicit.replace(/\/+$/, "");
    if (proxy?.startsWith("proxy."))
      return validateCopilotApiUrl(
        `https://${proxy.replace(/^proxy\./, "api.")}`,
        settings.endpoints,
        `${label}'s proxy-ep`,
      );
    return settings.endpoints.fallbackCopilotApiUrl;
  };
  const info: CredentialInfo = {
    mode: "copilot-token",
    description: "direct Copilot token",
    billedTo: "token-issuer",
    billing: "whoever minted the Copilot token",
    source: label,
    tokenMasked: maskToken(token),
    identity: token,
    bearer: "copilot-token",
  };
  return {
    describe: () => info,
    async githubToken() {
      return undefined;
    },
    async copilotToken({ reason }) {
      const nowSeconds = Math.floor(wall() / 1000);
      if (expiresAt !== undefined && expiresAt <= nowSeconds)
        throw new GatewayError(
          "copilot_token_expired",
          `The Copilot token from ${label} expired at ${new Date(expiresAt * 1000).toISOString()}; Copilot tokens live about 30 minutes and cannot be refreshed: ${LASTING}.`,
          { exitCode: EXIT_CODES.tokenRejected, status: 401 },
        );
      if (reason === "rejected")
        throw new GatewayError(
          "copilot_token_rejected",
          `Copilot rejected the token from ${label} (HTTP 401: expired or revoked); it cannot be refreshed: ${LASTING}.`,
          { exitCode: EXIT_CODES.tokenRejected, status: 401 },
        );
      const left = expiresAt === undefined ? UNKNOWN_LIFETIME_SECONDS : expiresAt - nowSeconds;
      return {
        token,
        expiresAt: expiresAt ?? nowSeconds + left,
        refreshIn: left,
        receivedAt: now(),
        apiUrl: apiUrl(),
        sku,
        chatEnabled: undefined,
        bearer: "copilot-token",
      };
    },
  };
}
