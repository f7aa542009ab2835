import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { EXIT_CODES } from "../../src/errors.js";
import { SSO_URL } from "../fake-upstream/github.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { runCli, startCli, tempHomes } from "./cli-run.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const DEVICE_TOKEN = "gho_fake0000000000000000000000000000000001";

function setup() {
  const { home, state } = tempHomes();
  const env = { ...fake.env(), HOME: home, COPILOT_GATEWAY_HOME: state };
  return { home, state, env, tokenFile: join(state, "tokens", "github.com.json") };
}

describe("copilot-gateway login (no TTY)", () => {
  it("prints the URL and code on stderr, polls, stores the token 0600 and says who signed in", async () => {
    fake.state.deviceFlow.script = ["authorization_pending", "slow_down", "authorization_pending"];
    fake.state.deviceFlow.slowDownInterval = 0;
    const { env, tokenFile } = setup();
    const result = await runCli(["login"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`open ${fake.url}/login/device`);
    expect(result.stderr).toContain("enter the code:  WDJB-MJHT");
    expect(result.stderr).toContain(
      'Signed in to github.com as octocat (Copilot Business).\nNext: run `copilot-gateway serve` to start the gateway, or `copilot-gateway chat "hello"` to ask Copilot.\n',
    );
    expect(result.stderr).not.toContain(DEVICE_TOKEN);
    expect(fake.requestsTo("/login/oauth/access_token")).toHaveLength(4);
    const stored = JSON.parse(readFileSync(tokenFile, "utf8"));
    expect(stored).toMatchObject({
      token: DEVICE_TOKEN,
      host: "github.com",
      login: "octocat",
      source: "device-flow",
    });
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(tokenFile, "..")).mode & 0o777).toBe(0o700);
  });

  it.each([
    [
      "access_denied",
      EXIT_CODES.deviceFlowDenied,
      "error: Sign-in was cancelled in the browser (access denied)",
    ],
    ["expired_token", EXIT_CODES.deviceFlowExpired, "error: The sign-in code expired before it was entered"],
    ["incorrect_device_code", EXIT_CODES.deviceFlowBadDeviceCode, "does not recognise the device code"],
    ["unsupported_grant_type", EXIT_CODES.deviceFlowBadGrant, "rejected the device-flow grant type"],
  ] as const)(
    "ends at %s with its exit code, one error line and nothing stored",
    async (outcome, code, line) => {
      fake.state.deviceFlow.script = ["authorization_pending", outcome];
      const { env, tokenFile } = setup();
      const result = await runCli(["login"], env);
      expect(result.code).toBe(code);
      expect(result.stderr).toContain(line);
      expect(
        result.stderr
          .trim()
          .split("\n")
          .filter((l) => l.startsWith("error:")),
      ).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(() => statSync(tokenFile)).toThrow();
    },
  );

  it("names the client id when the device flow is disabled for it", async () => {
    fake.state.deviceFlow.codeError = "device_flow_disabled";
    const { env } = setup();
    const result = await runCli(["login", "--client-id", "Iv1.deadbeef"], env);
    expect(result.code).toBe(EXIT_CODES.deviceFlowDisabled);
    expect(result.stderr).toContain('disabled for the OAuth client id "Iv1.deadbeef"');
    expect(fake.requestsTo("/login/device/code")[0]?.body).toMatchObject({ client_id: "Iv1.deadbeef" });
  });

  it("names the client id from COPILOT_GATEWAY_CLIENT_ID when GitHub does not know it", async () => {
    fake.state.deviceFlow.script = ["incorrect_client_credentials"];
    const { env } = setup();
    const result = await runCli(["login"], { ...env, COPILOT_GATEWAY_CLIENT_ID: "Iv1.nope" });
    expect(result.code).toBe(EXIT_CODES.deviceFlowClientInvalid);
    expect(result.stderr).toContain('does not know the OAuth client id "Iv1.nope"');
  });

  it("stops cleanly on Ctrl-C while waiting, with exit code 130 and nothing stored", async () => {
    fake.state.deviceFlow.approved = false;
    fake.state.deviceFlow.interval = 1;
    const { env, tokenFile } = setup();
    const { child, done } = startCli(["login"], env);
    let seen = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
    });
    await vi.waitFor(() => expect(seen).toContain("Waiting for approval"), { timeout: 10_000 });
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(EXIT_CODES.interrupted);
    expect(result.stderr.split("\n").at(-2)).toBe("Cancelled; nothing was stored.");
    expect(result.stderr).not.toContain("error:");
    expect(() => statSync(tokenFile)).toThrow();
  });

  it("tells the user when an SSO organisation still needs the token authorized", async () => {
    fake.state.user.ssoHeader = true;
    const { env } = setup();
    const result = await runCli(["login"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `note: an organization with SAML SSO still needs this token authorized: open ${SSO_URL}`,
    );
  });

  it("keeps the token but fails with the exchange's message when Copilot refuses it", async () => {
    fake.state.exchange.failure = "sso_required";
    const { env, tokenFile } = setup();
    const result = await runCli(["login"], env);
    expect(result.code).toBe(EXIT_CODES.noCopilotAccess);
    expect(result.stderr).toContain(`Stored the GitHub token in ${tokenFile}.`);
    expect(result.stderr).toContain(`must be authorized for your organization's SAML SSO: open ${SSO_URL}`);
    expect(JSON.parse(readFileSync(tokenFile, "utf8")).token).toBe(DEVICE_TOKEN);
  });

  it("does nothing when already signed in, unless --force", async () => {
    const { env } = setup();
    expect((await runCli(["login"], env)).code).toBe(0);
    const again = await runCli(["login"], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("Already signed in to github.com as octocat");
    expect(fake.deviceCodesIssued).toBe(1);
    expect((await runCli(["login", "--force"], env)).code).toBe(0);
    expect(fake.deviceCodesIssued).toBe(2);
  });

  it("signs in again when GitHub rejects the stored login (revoked), instead of saying 'already signed in'", async () => {
    const { env, tokenFile } = setup();
    expect((await runCli(["login"], env)).code).toBe(0);
    // The stored token is revoked on GitHub: /user answers 401 for it.
    fake.state.exchange.acceptedTokens = ["gho_fresh00000000000000000000000000000000"];
    fake.state.deviceFlow.accessToken = "gho_fresh00000000000000000000000000000000";
    const again = await runCli(["login"], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      "The stored login for github.com as octocat no longer works (GitHub rejected it: revoked or expired); signing in again.",
    );
    expect(again.stderr).not.toContain("Already signed in");
    expect(fake.deviceCodesIssued).toBe(2);
    expect(JSON.parse(readFileSync(tokenFile, "utf8")).token).toBe(
      "gho_fresh00000000000000000000000000000000",
    );
  });

  it("advice to run a command carries --github-host when one was given", async () => {
    const { env } = setup();
    const result = await runCli(["status", "--github-host", "octo.ghe.com"], {
      ...env,
      COPILOT_GITHUB_TOKEN: "",
    });
    expect(result.code).toBe(EXIT_CODES.notSignedIn);
    expect(result.stderr).toContain("run `copilot-gateway login --github-host octo.ghe.com`");
  });

  it("stores the expiry and refresh token of GitHub App user tokens, and signs in again once expired", async () => {
    fake.state.deviceFlow.grantExtras = {
      expires_in: 1,
      refresh_token: "ghr_refresh",
      refresh_token_expires_in: 9,
    };
    const { env, tokenFile } = setup();
    expect((await runCli(["login"], env)).code).toBe(0);
    const stored = JSON.parse(readFileSync(tokenFile, "utf8"));
    expect(stored.refreshToken).toBe("ghr_refresh");
    expect(Date.parse(stored.expiresAt)).toBeGreaterThan(Date.now() - 60_000);
    stored.expiresAt = "2000-01-01T00:00:00.000Z";
    writeFileSync(tokenFile, JSON.stringify(stored));
    const status = await runCli(["status"], env);
    expect(status.code).toBe(EXIT_CODES.notSignedIn);
    expect(status.stderr).toContain(
      "expired at 2000-01-01T00:00:00.000Z; run `copilot-gateway login --force`",
    );
    expect((await runCli(["login"], env)).code).toBe(0);
    expect(fake.deviceCodesIssued).toBe(2);
  });

  it("notes that a token variable still takes precedence over the new login", async () => {
    const { env } = setup();
    const result = await runCli(["login"], { ...env, GH_TOKEN: "gho_other" });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("note: GH_TOKEN is set and takes precedence over the stored login");
  });
});

describe("copilot-gateway login: importing another tool's token", () => {
  function withAppsJson(home: string, token = "ghu_fromplugin0001") {
    const dir = join(home, ".config", "github-copilot");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "apps.json"),
      JSON.stringify({
        "github.com:Iv1.b507a08c87ecfe98": {
          user: "octocat",
          oauth_token: token,
          githubAppId: "Iv1.b507a08c87ecfe98",
        },
      }),
    );
    return join(dir, "apps.json");
  }

  it("--import takes it without asking, checks it and stores it; no device flow", async () => {
    const { home, env, tokenFile } = setup();
    const apps = withAppsJson(home);
    const result = await runCli(["login", "--import"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Imported the token from GitHub Copilot's apps.json (${apps})`);
    expect(fake.deviceCodesIssued).toBe(0);
    const stored = JSON.parse(readFileSync(tokenFile, "utf8"));
    expect(stored).toMatchObject({ token: "ghu_fromplugin0001", source: `import:${apps}`, login: "octocat" });
    expect(result.stderr).not.toContain("ghu_fromplugin0001");
  });

  it("without a TTY never asks: it mentions --import and runs the device flow", async () => {
    const { home, env, tokenFile } = setup();
    withAppsJson(home);
    const result = await runCli(["login"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("login --import` would use it instead");
    expect(result.stderr).not.toContain("[Y/n]");
    expect(fake.deviceCodesIssued).toBe(1);
    expect(JSON.parse(readFileSync(tokenFile, "utf8")).token).toBe(DEVICE_TOKEN);
  });

  it("reads copilot-api's token file", async () => {
    const { home, env, tokenFile } = setup();
    mkdirSync(join(home, ".local", "share", "copilot-api"), { recursive: true });
    writeFileSync(join(home, ".local", "share", "copilot-api", "github_token"), "ghu_copilotapi0001\n");
    const result = await runCli(["login", "--import"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Imported the token from copilot-api (");
    expect(JSON.parse(readFileSync(tokenFile, "utf8")).token).toBe("ghu_copilotapi0001");
  });

  it("does not store an imported token that Copilot rejects, and names where it came from", async () => {
    const { home, env, tokenFile } = setup();
    const apps = withAppsJson(home);
    fake.state.exchange.failure = "bad_credentials";
    const result = await runCli(["login", "--import"], env);
    expect(result.code).toBe(EXIT_CODES.tokenRejected);
    expect(result.stderr).toContain(
      `error: the token from GitHub Copilot's apps.json (${apps}) was rejected`,
    );
    expect(() => statSync(tokenFile)).toThrow();
  });

  it("--import with nothing to import fails at once", async () => {
    const { env } = setup();
    const result = await runCli(["login", "--import"], env);
    expect(result.code).toBe(EXIT_CODES.notSignedIn);
    expect(result.stderr).toContain(
      "error: --import found no token another Copilot tool holds for github.com",
    );
    expect(fake.deviceCodesIssued).toBe(0);
  });
});
