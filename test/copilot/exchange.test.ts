import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GitHubToken } from "../../src/auth/github-token.js";
import { resolveSettings } from "../../src/config/settings.js";
import { exchangeCopilotToken, TokenExchangeError } from "../../src/copilot/exchange-token.js";
import { ConnectionError, EXIT_CODES } from "../../src/errors.js";
import { createDispatcher } from "../../src/http/dispatcher.js";
import { closedPortUrl } from "../auth/closed-port.js";
import { SSO_URL } from "../fake-upstream/github.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
const dispatcher = createDispatcher({ env: {} });
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  await dispatcher.close();
});
beforeEach(() => fake.reset());

const fromEnv: GitHubToken = { value: "gho_fromenv0001", origin: "GH_TOKEN", label: "GH_TOKEN" };

function exchange(
  githubToken: GitHubToken = fromEnv,
  env: Record<string, string> = {},
  accountType?: string,
) {
  const settings = resolveSettings({ accountType }, { ...fake.env(), ...env });
  return exchangeCopilotToken({
    endpoints: settings.endpoints,
    identity: settings.identity,
    dispatcher,
    githubToken,
    now: () => 1234,
  });
}

async function failure(githubToken: GitHubToken = fromEnv): Promise<TokenExchangeError> {
  const error = await exchange(githubToken).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TokenExchangeError);
  return error as TokenExchangeError;
}

describe("exchangeCopilotToken", () => {
  it("sends the GitHub token and the editor headers, and returns the token with the API base it names", async () => {
    fake.state.exchange.refreshIn = 1500;
    const token = await exchange();
    expect(token).toMatchObject({
      refreshIn: 1500,
      receivedAt: 1234,
      apiUrl: fake.url,
      sku: "copilot_for_business_seat_quota",
      chatEnabled: true,
    });
    expect(token.token).toMatch(/^tid=fake/);
    const seen = fake.requestsTo("/copilot_internal/v2/token")[0];
    expect(seen?.headers.authorization).toBe("token gho_fromenv0001");
    expect(seen?.headers["editor-version"]).toMatch(/^vscode\//);
    expect(seen?.headers["editor-plugin-version"]).toMatch(/^copilot-chat\//);
    expect(seen?.headers["user-agent"]).toMatch(/^GitHubCopilotChat\//);
    expect(seen?.headers["x-github-api-version"]).toBe("2025-04-01");
  });

  it("falls back to the account type's Copilot base only when the token names none", async () => {
    fake.state.exchange.apiUrl = null;
    expect((await exchange(fromEnv, {}, "business")).apiUrl).toBe("https://api.business.githubcopilot.com");
    expect((await exchange(fromEnv, {}, "enterprise")).apiUrl).toBe(
      "https://api.enterprise.githubcopilot.com",
    );
    expect((await exchange(fromEnv, {}, "individual")).apiUrl).toBe("https://api.githubcopilot.com");
    fake.state.exchange.apiUrl = "https://api.business.githubcopilot.com/";
    expect((await exchange(fromEnv, {}, "individual")).apiUrl).toBe("https://api.business.githubcopilot.com");
  });

  it("lets COPILOT_GATEWAY_COPILOT_API_URL win over the token's endpoints.api", async () => {
    const token = await exchange(fromEnv, {
      COPILOT_GATEWAY_COPILOT_API_URL: "http://mirror.internal:8080/",
    });
    expect(token.apiUrl).toBe("http://mirror.internal:8080");
  });

  it("401: says the token from its source was rejected and to sign in again", async () => {
    fake.state.exchange.failure = "bad_credentials";
    const error = await failure();
    expect(error).toMatchObject({
      code: "bad_credentials",
      exitCode: EXIT_CODES.tokenRejected,
      httpStatus: 401,
    });
    expect(error.message).toBe(
      "the token from GH_TOKEN was rejected by github.com (bad credentials: revoked, expired or mistyped); run `copilot-gateway login` to sign in again (or unset GH_TOKEN, which takes precedence over the stored login).",
    );
  });

  it("403 with X-GitHub-SSO: shows the authorization URL", async () => {
    fake.state.exchange.failure = "sso_required";
    const error = await failure();
    expect(error).toMatchObject({
      code: "sso_required",
      url: SSO_URL,
      exitCode: EXIT_CODES.noCopilotAccess,
      status: 403,
    });
    expect(error.message).toContain(`open ${SSO_URL}`);
    expect(error.message).toMatch(
      /^the token from GH_TOKEN must be authorized for your organization's SAML SSO/,
    );
  });

  it("403 with error_details: shows its message and URL", async () => {
    fake.state.exchange.failure = "no_seat";
    const error = await failure();
    expect(error).toMatchObject({
      code: "no_copilot_access",
      notificationId: "fake-notification-id",
      url: "https://github.com/settings?param={EDITOR}",
      exitCode: EXIT_CODES.noCopilotAccess,
      httpStatus: 403,
    });
    expect(error.message).toBe(
      "the token from GH_TOKEN has no Copilot access: fake error message. See https://github.com/settings?param={EDITOR}",
    );
  });

  it("404 with error_details (subscription ended): shows its message and URL", async () => {
    fake.state.copilot.failures = [];
    fake.state.exchange.failure = "subscription_ended";
    const error = await failure();
    expect(error).toMatchObject({
      code: "no_copilot_access",
      notificationId: "subscription_ended",
      httpStatus: 404,
    });
    expect(error.message).toContain("Your Copilot subscription has ended");
    expect(error.message).toContain("See https://github.com/settings/copilot");
  });

  it("plain 404: refused for its kind, naming its source and what works (no self-contradiction)", async () => {
    fake.state.exchange.failure = "not_found";
    const error = await failure({ value: "ghs_actions0001", origin: "GITHUB_TOKEN", label: "GITHUB_TOKEN" });
    expect(error).toMatchObject({ code: "token_cannot_use_copilot", exitCode: EXIT_CODES.tokenRejected });
    expect(error.message).toBe(
      "the token from GITHUB_TOKEN, a GitHub Actions or App installation token (ghs_), was refused by the Copilot token exchange (HTTP 404): it does not take this kind of token, or tokens of the app that issued it; use `copilot-gateway login` (device flow), a fine-grained PAT with the Copilot Requests permission, or a GitHub App installation (--github-app-id …) (or unset GITHUB_TOKEN, which takes precedence over the stored login).",
    );
  });

  it("400 for a personal access token: the same advice, naming the flag", async () => {
    fake.state.exchange.failure = "pat_not_supported";
    const error = await failure({ value: "ghp_classic0001", origin: "flag", label: "--github-token" });
    expect(error.code).toBe("token_cannot_use_copilot");
    expect(error.message).toMatch(
      /^the token from --github-token, a classic personal access token \(ghp_\), was refused by the Copilot token exchange \(HTTP 400\)/,
    );
    expect(error.message).toContain("(drop --github-token to use the stored login)");
  });

  it("403 rate limit: says so and to wait", async () => {
    fake.state.exchange.failure = "rate_limited";
    const error = await failure();
    expect(error).toMatchObject({ code: "github_rate_limited", exitCode: EXIT_CODES.upstream, status: 429 });
    expect(error.message).toBe(
      "github.com rate-limited the token from GH_TOKEN (API rate limit exceeded for user ID 12345); wait a few minutes and retry.",
    );
  });

  it("other statuses: names the status", async () => {
    fake.state.exchange.failure = "server_error";
    const error = await failure();
    expect(error).toMatchObject({ code: "exchange_failed", exitCode: EXIT_CODES.upstream, status: 502 });
    expect(error.message).toBe(
      "The Copilot token exchange for the token from GH_TOKEN failed with HTTP 502 (Server Error); retry in a moment.",
    );
  });

  it("network error: names the host and points at proxy settings", async () => {
    const url = await closedPortUrl();
    const error = await exchange(fromEnv, { COPILOT_GATEWAY_GITHUB_API_URL: url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ exitCode: EXIT_CODES.network, host: new URL(url).host });
    expect((error as Error).message).toBe(
      `Cannot reach ${new URL(url).host} (ECONNREFUSED). Check your connection and the HTTPS_PROXY / NO_PROXY settings.`,
    );
  });
});
