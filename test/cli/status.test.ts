import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { saveGitHubToken } from "../../src/auth/token-store.js";
import { EXIT_CODES } from "../../src/errors.js";
import { closedPortUrl } from "../auth/closed-port.js";
import { SSO_URL } from "../fake-upstream/github.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { runCli, tempHomes } from "./cli-run.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const TOKEN = "gho_statustoken0000000000000000000000abcd";

function setup() {
  const { home, state } = tempHomes();
  return { state, env: { ...fake.env(), HOME: home, COPILOT_GATEWAY_HOME: state } };
}

describe("copilot-gateway status", () => {
  it("shows host, login, GitHub token source, plan in words, API base, Copilot token expiry and chat, never the token", async () => {
    const { env } = setup();
    const result = await runCli(["status"], { ...env, GH_TOKEN: TOKEN });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^host: +github\.com$/m);
    expect(result.stdout).toMatch(/^mode: +GitHub user token$/m);
    expect(result.stdout).toMatch(/^billed to: +the user's Copilot seat$/m);
    expect(result.stdout).toMatch(/^GitHub login: +octocat$/m);
    expect(result.stdout).toMatch(/^GitHub token: +GH_TOKEN, gho_\*\*\*\*abcd$/m);
    expect(result.stdout).toMatch(/^Copilot plan: +Copilot Business$/m);
    expect(result.stdout).toContain(`Copilot API:   ${fake.url}`);
    // The fake's Copilot token lives 30 min: relative first, labelled as the Copilot token's, after the GitHub rows.
    expect(result.stdout).toMatch(
      /^Copilot token: +expires in (30|29) min \(\d{4}-\d\d-\d\dT[\d:.]+Z\); renewed about every 25 min$/m,
    );
    const labels = result.stdout.split("\n").map((l) => l.split(":")[0]);
    expect(labels.slice(0, 4)).toEqual(["host", "GitHub login", "GitHub token", "mode"]);
    expect(result.stdout).toMatch(/^chat enabled: +yes$/m);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(result.stdout + result.stderr).not.toContain("tid=fake");
  });

  it("--json prints one object with the documented fields", async () => {
    const { env } = setup();
    fake.state.exchange.sku = "copilot_enterprise_seat";
    const result = await runCli(["status", "--json"], { ...env, COPILOT_GITHUB_TOKEN: TOKEN });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      host: "github.com",
      login: "octocat",
      tokenSource: "COPILOT_GITHUB_TOKEN",
      tokenMasked: "gho_****abcd",
      sku: "copilot_enterprise_seat",
      plan: "business",
      copilotApiUrl: fake.url,
      chatEnabled: true,
      refreshIn: 1500,
    });
    expect(Date.parse(json.expiresAt)).toBeGreaterThan(Date.now());
    expect(result.stdout).not.toContain(TOKEN);
  });

  it("uses the stored login and names it as the source", async () => {
    const { state, env } = setup();
    saveGitHubToken({ homeDir: state, host: "github.com" }, { token: TOKEN });
    const result = await runCli(["status", "--json"], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      tokenSource: "stored",
      tokenSourceLabel: `the stored login (${join(state, "tokens", "github.com.json")})`,
    });
  });

  it("tightens a stored token file others can read, with a warning", async () => {
    const { state, env } = setup();
    const path = saveGitHubToken({ homeDir: state, host: "github.com" }, { token: TOKEN });
    chmodSync(path, 0o644);
    const result = await runCli(["status"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: ${path} was readable by others (mode 644); tightened it to 600.`,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("--json fails in JSON too: {error: {code, message}} on stdout, nothing on stderr, the same exit code", async () => {
    const { env } = setup();
    const result = await runCli(["status", "--json"], env);
    expect(result.code).toBe(EXIT_CODES.notSignedIn);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: "not_signed_in",
        message:
          "No GitHub token for github.com: run `copilot-gateway login`, or set COPILOT_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN), or pass --github-token.",
      },
    });
    fake.state.exchange.failure = "bad_credentials";
    const rejected = await runCli(["status", "--json"], { ...env, GITHUB_TOKEN: TOKEN });
    expect(rejected.code).toBe(EXIT_CODES.tokenRejected);
    expect(JSON.parse(rejected.stdout).error.code).toBe("bad_credentials");
  });

  it("with no token and no TTY fails at once, naming the variables and login", async () => {
    const { env } = setup();
    const result = await runCli(["status"], env);
    expect(result.code).toBe(EXIT_CODES.notSignedIn);
    expect(result.stderr).toBe(
      "error: No GitHub token for github.com: run `copilot-gateway login`, or set COPILOT_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN), or pass --github-token.\n",
    );
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    [
      "bad_credentials",
      EXIT_CODES.tokenRejected,
      "error: the token from GITHUB_TOKEN was rejected by github.com",
    ],
    ["sso_required", EXIT_CODES.noCopilotAccess, `open ${SSO_URL}`],
    ["no_seat", EXIT_CODES.noCopilotAccess, "has no Copilot access: fake error message."],
    [
      "not_found",
      EXIT_CODES.tokenRejected,
      "error: the token from GITHUB_TOKEN, an OAuth token (gho_), cannot reach Copilot: the token exchange (HTTP 404) and the Copilot API used directly (HTTP 401) both refused it. What works: `copilot-gateway login`",
    ],
    ["rate_limited", EXIT_CODES.upstream, "rate-limited the token from GITHUB_TOKEN"],
    [
      "subscription_ended",
      EXIT_CODES.noCopilotAccess,
      "has no Copilot access: Your Copilot subscription has ended. See https://github.com/settings/copilot",
    ],
    ["pat_not_supported", EXIT_CODES.tokenRejected, "the token exchange (HTTP 400) and the Copilot API"],
    ["server_error", EXIT_CODES.upstream, "failed with HTTP 502 (Server Error); retry in a moment."],
  ] as const)("exchange failure %s: exit %i and one clear line", async (failure, code, text) => {
    fake.state.exchange.failure = failure;
    const { env } = setup();
    const result = await runCli(["status"], { ...env, GITHUB_TOKEN: TOKEN });
    expect(result.code).toBe(code);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(text);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a token with a line break in one line, without printing it and without asking GitHub", async () => {
    const { env } = setup();
    const result = await runCli(["status"], { ...env, COPILOT_GITHUB_TOKEN: `${TOKEN}\r\nSECRETTAIL` });
    expect(result).toMatchObject({
      code: EXIT_CODES.usage,
      stdout: "",
      stderr:
        "error: the token from COPILOT_GITHUB_TOKEN contains spaces, line breaks or other characters no GitHub token has; set it to the token alone.\n",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("names the unreachable host and the proxy settings", async () => {
    const url = await closedPortUrl();
    const { env } = setup();
    const result = await runCli(["status"], { ...env, GH_TOKEN: TOKEN, COPILOT_GATEWAY_GITHUB_API_URL: url });
    expect(result.code).toBe(EXIT_CODES.network);
    expect(result.stderr).toBe(
      `error: Cannot reach ${new URL(url).host} (ECONNREFUSED). Check your connection and the HTTPS_PROXY / NO_PROXY settings.\n`,
    );
  });

  it("--github-token wins over the environment", async () => {
    const { env } = setup();
    fake.state.exchange.acceptedTokens = [TOKEN];
    const result = await runCli(["--github-token", TOKEN, "status", "--json"], {
      ...env,
      GH_TOKEN: "gho_wrong",
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).tokenSource).toBe("flag");
  });

  it("keeps GHE.com logins per host and falls back to copilot-api.SUB.ghe.com when the token names no base", async () => {
    const { state, env } = setup();
    fake.state.exchange.apiUrl = null;
    const login = await runCli(["--github-host", "acme.ghe.com", "login"], env);
    expect(login.code).toBe(0);
    expect(login.stderr).toContain("Signed in to acme.ghe.com as octocat");
    const result = await runCli(["status", "--json"], {
      ...env,
      COPILOT_GATEWAY_GITHUB_HOST: "acme.ghe.com",
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      host: "acme.ghe.com",
      tokenSource: "stored",
      tokenSourceLabel: `the stored login (${join(state, "tokens", "acme.ghe.com.json")})`,
      copilotApiUrl: "https://copilot-api.acme.ghe.com",
    });
    expect((await runCli(["status"], env)).code).toBe(EXIT_CODES.notSignedIn);
  });

  it("shows a pending SSO authorization", async () => {
    fake.state.user.ssoHeader = true;
    const { env } = setup();
    const result = await runCli(["status"], { ...env, GH_TOKEN: TOKEN });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`SSO pending:   authorize at ${SSO_URL}`);
    const json = await runCli(["status", "--json"], { ...env, GH_TOKEN: TOKEN });
    expect(JSON.parse(json.stdout).ssoUrl).toBe(SSO_URL);
    fake.state.user.ssoHeader = false;
    const none = await runCli(["status", "--json"], { ...env, GH_TOKEN: TOKEN });
    expect(Object.keys(JSON.parse(none.stdout))).not.toContain("ssoUrl");
  });
});
