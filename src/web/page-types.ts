/**
 * The JSON the page APIs answer (`/api/page/*`). The browser module `src/server/ui/app.js` reads exactly these
 * shapes. None of them ever carries a GitHub or Copilot token.
 */

/** Where the browser sign-in stands. One device flow runs at a time, on the server. */
export type SignInState =
  | { status: "idle" }
  | { status: "starting" }
  | {
      status: "pending";
      userCode: string;
      verificationUri: string;
      /** Unix milliseconds after which the code is dead (GitHub's `expires_in`, from when it was received). */
      expiresAt: number;
    }
  /** GitHub approved; the gateway is storing the token and opening the Copilot session. */
  | { status: "completing" }
  | { status: "succeeded" }
  | { status: "failed"; error: { code: string; message: string } };

export interface CopilotTokenView {
  ready: boolean;
  /** Milliseconds until the next planned refresh of the Copilot token. */
  refreshInMs: number | null;
  /** Unix seconds as the server said (display only). */
  expiresAt: number | null;
  apiUrl: string | null;
  sku: string | null;
  /** The one-line reason the last background refresh failed, while it keeps failing. */
  problem: string | null;
}

export interface Snippet {
  id: string;
  title: string;
  language: "text" | "python" | "javascript" | "shell" | "toml" | "json" | "yaml";
  text: string;
}

/** How the gateway reaches Copilot: the mode and who is billed. Never a token. */
export interface AccountView {
  /** Where the credential came from ("the stored login (…)", "GH_TOKEN", "GitHub App 7, installation 42 (…)"). */
  tokenSource: string;
  /** device-login, user-token, fine-grained-pat, app-installation, actions-token or copilot-token. */
  mode: string;
  /** e.g. "App installation 42 of app 7". */
  modeDescription: string;
  billedTo: "user" | "organization" | "token-issuer";
  /** e.g. "the user's Copilot seat". */
  billing: string;
}

export interface PageStateView {
  signedIn: boolean;
  /** GitHub host the gateway signs in to, e.g. `github.com` or `acme.ghe.com`. */
  host: string;
  /** Where the GitHub token came from ("the stored login", "GH_TOKEN"…), never the token. */
  account: AccountView | null;
  copilotToken: CopilotTokenView | null;
  signIn: SignInState;
  snippets: Snippet[];
}

export interface QuotaView {
  entitlement: number | null;
  remaining: number | null;
  percentRemaining: number | null;
  unlimited: boolean;
  overageCount: number | null;
  overagePermitted: boolean | null;
  /** The quota in the words the CLI uses too: "712 of 1,000 left", "unlimited". */
  text: string;
}

export interface UsageView {
  login: string | null;
  plan: string | null;
  sku: string | null;
  /** The plan in words, as the CLI says it: "Copilot Business". */
  planName: string;
  resetDate: string | null;
  quotas: { premium: QuotaView | null; chat: QuotaView | null; completions: QuotaView | null };
}

export interface ModelView {
  id: string;
  name: string | null;
  vendor: string | null;
  type: string | null;
  preview: boolean;
  isDefault: boolean;
  /** `supported_endpoints`; null when the catalogue does not say (then every endpoint is tried). */
  endpoints: string[] | null;
  /** Short capability tags: streaming, tools, vision, thinking, structured outputs… */
  capabilities: string[];
  contextWindow: number | null;
  maxOutputTokens: number | null;
  premium: boolean;
  multiplier: number | null;
  /** The premium cost in the words `models` uses: "included", "×1", "premium", "unknown". */
  premiumLabel: string;
  policy: string | null;
  terms: string | null;
}

/** One row of the live request log. */
export interface RequestLogView {
  id: string;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  route: string;
  model: string | null;
  /** HTTP status answered; 0 when the client went away first. */
  status: number;
  latencyMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Our error code, when the request failed (e.g. `user_weekly_rate_limited`). */
  error: string | null;
  stream: boolean;
  /** Copilot's HTTP status, when the request reached it. */
  upstreamStatus: number | null;
  /** Copilot's request id, for tracing. */
  requestId: string | null;
  /** Milliseconds until the answer began. */
  firstByteMs: number | null;
  cachedTokens: number | null;
}

/** Every page API error: `{error: {code, message}}` with a one-line message. */
export interface PageErrorBody {
  error: { code: string; message: string };
}
