import type { Dispatcher } from "undici";
import { type GitHubToken, maskToken, overrideHint } from "../auth/github-token.js";
import type { Settings } from "../config/settings.js";
import type { CopilotToken } from "../copilot/copilot-token.js";
import { exchangeCopilotToken, TokenExchangeError } from "../copilot/exchange-token.js";
import { EXIT_CODES } from "../errors.js";
import type {
  CopilotCredential,
  CredentialInfo,
  CredentialMode,
  TokenRequestReason,
} from "./copilot-credential.js";
import { probeDirectBearer } from "./direct-bearer.js";
import { assertUsableGitHubToken, TOKEN_KIND_NAMES, type TokenKind, WHAT_WORKS } from "./token-kind.js";

export interface UserTokenCredentialOptions {
  settings: Settings;
  dispatcher: Dispatcher;
  githubToken: GitHubToken;
  /** True when running inside GitHub Actions (GITHUB_ACTIONS=true): a ghs_ token is then the job's GITHUB_TOKEN. */
  inActions?: boolean | undefined;
  /** Monotonic ms; injectable for tests. */
  now?: (() => number) | undefined;
}

function modeOf(kind: TokenKind, token: GitHubToken): CredentialMode {
  if (kind === "fine-grained-pat") return "fine-grained-pat";
  if (kind === "installation") return "actions-token";
  return token.origin === "stored" || token.origin === "device-flow" || token.origin === "import"
    ? "device-login"
    : "user-token";
}

const DESCRIPTIONS: Record<CredentialMode, string> = {
  "device-login": "device login",
  "user-token": "GitHub user token",
  "fine-grained-pat": "fine-grained PAT",
  "app-installation": "App installation",
  "actions-token": "Actions token",
  "copilot-token": "direct Copilot token",
};

/** The policy an organisation owner turns on for org-billed Actions and App use (spec §9). */
export const ORG_ACTIONS_POLICY = '"Allow use of Copilot CLI billed to the organization"';

/**
 * A GitHub token handed to us (stored login, --github-token, COPILOT_GITHUB_TOKEN / GH_TOKEN / GITHUB_TOKEN).
 * - gho_/ghu_: the exchange (spec §3); when it refuses the token for its kind (404, or the PAT 400), the token is
 *   tried once directly as the Copilot bearer, and used so from then on if that works.
 * - github_pat_: used directly as the bearer (spec §9: Copilot accepts a fine-grained PAT with Copilot Requests;
 *   the exchange is reported to refuse PATs), base URL from `copilot_internal/user`, else the account type.
 * - ghs_ (Actions GITHUB_TOKEN): exchanged like an installation token; a refusal says which permission and policy.
 * - ghp_ is refused at construction, before any network call.
 */
export function createUserTokenCredential(options: UserTokenCredentialOptions): CopilotCredential {
  const { settings, dispatcher, githubToken } = options;
  const kind = assertUsableGitHubToken(githubToken.value, githubToken.label);
  const mode = modeOf(kind, githubToken);
  // A ghs_ outside Actions is some App's installation token, handed to us ready-made.
  const description =
    mode === "actions-token" && !options.inActions ? "installation token (ghs_)" : DESCRIPTIONS[mode];
  const now = options.now ?? (() => performance.now());
  let bearer: CredentialInfo["bearer"];
  // Decided once: after the exchange refused the token and the direct probe worked, skip the exchange.
  let direct = kind === "fine-grained-pat";
  const common = { settings, dispatcher, githubToken, now };

  const info = (): CredentialInfo => ({
    mode,
    description,
    billedTo: kind === "installation" ? "organization" : "user",
    billing: kind === "installation" ? "the organization (Actions)" : "the user's Copilot seat",
    source: githubToken.label,
    tokenMasked: maskToken(githubToken.value),
    identity: githubToken.value,
    bearer,
  });

  const useDirectly = async (
    reason: TokenRequestReason,
    signal?: AbortSignal,
    exchangeStatus?: number,
  ): Promise<CopilotToken> => {
    const probe = await probeDirectBearer({ ...common, signal });
    if (probe.ok) {
      direct = true;
      bearer = "direct";
      return probe.token;
    }
    throw directRefused(githubToken, kind, probe.status, reason, exchangeStatus);
  };

  return {
    describe: info,
    async githubToken() {
      return githubToken;
    },
    async copilotToken({ reason, signal }) {
      if (direct) return await useDirectly(reason, signal);
      try {
        const token = await exchangeCopilotToken({
          endpoints: settings.endpoints,
          identity: settings.identity,
          dispatcher,
          githubToken,
          signal,
        });
        bearer = "exchanged";
        return { ...token, bearer: "exchanged" };
      } catch (error) {
        if (!(error instanceof TokenExchangeError)) throw error;
        if (
          kind === "installation" &&
          error.httpStatus !== undefined &&
          [401, 403, 404].includes(error.httpStatus) &&
          error.code !== "sso_required"
        )
          throw actionsRefused(githubToken, error.httpStatus);
        if (error.code !== "token_cannot_use_copilot") throw error;
        // The exchange refuses this token for its kind or issuing app: Copilot may still take it directly.
        return await useDirectly(reason, signal, error.httpStatus);
      }
    },
  };
}

function directRefused(
  githubToken: GitHubToken,
  kind: TokenKind,
  status: number,
  reason: TokenRequestReason,
  exchangeStatus: number | undefined,
): TokenExchangeError {
  const from = `the token from ${githubToken.label}, ${TOKEN_KIND_NAMES[kind]},`;
  if (kind === "fine-grained-pat")
    return new TokenExchangeError(
      "pat_refused",
      `${from} was refused by the Copilot API (HTTP ${status}${reason === "rejected" ? " after working" : ""}): give the PAT the account permission "Copilot Requests" (read-only is enough to be accepted), check it has not expired, or use \`copilot-gateway login\` instead${overrideHint(githubToken)}.`,
      { httpStatus: status, exitCode: EXIT_CODES.tokenRejected },
    );
  const exchange = exchangeStatus === undefined ? "" : `the token exchange (HTTP ${exchangeStatus}) and `;
  return new TokenExchangeError(
    "token_cannot_use_copilot",
    `${from} cannot reach Copilot: ${exchange}the Copilot API used directly (HTTP ${status}) both refused it. What works: ${WHAT_WORKS}${overrideHint(githubToken)}.`,
    { httpStatus: status, exitCode: EXIT_CODES.tokenRejected },
  );
}

function actionsRefused(githubToken: GitHubToken, status: number): TokenExchangeError {
  return new TokenExchangeError(
    "actions_token_refused",
    `the token from ${githubToken.label}, a GitHub Actions or App installation token (ghs_), was refused by the Copilot token exchange (HTTP ${status}): grant it in the workflow with \`permissions: copilot-requests: write\`, and an organization owner must turn on the policy ${ORG_ACTIONS_POLICY}.`,
    { httpStatus: status, exitCode: EXIT_CODES.noCopilotAccess },
  );
}
