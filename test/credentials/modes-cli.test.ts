import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { saveGitHubToken } from "../../src/auth/token-store.js";
import { EXIT_CODES } from "../../src/errors.js";
import { runCli, tempHomes } from "../cli/cli-run.js";
import { makeTestAppKeys } from "../fake-upstream/app-keys.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
const keys = makeTestAppKeys();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  fake.state.app.publicKey = keys.publicKey;
});

const PAT = "github_pat_11AAAAAAA0000000000000_patpatpatpatpatpatpatpatpatpatpatpatpatpatpatpatpatpat1234";
const GH_CLI_TOKEN = "gho_ghcli00000000000000000000000000000000";
const ACTIONS = "ghs_actions000000000000000000000000000000";

function env(extra: Record<string, string> = {}) {
  const { home, state } = tempHomes();
  return { ...fake.env(), HOME: home, COPILOT_GATEWAY_HOME: state, ...extra };
}

const APP_ENV = {
  COPILOT_GATEWAY_GITHUB_APP_ID: "424242",
  COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1001",
  COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "77",
};

describe("every mode through the CLI (status, chat)", () => {
  it("fine-grained PAT: used directly as the bearer, base URL from copilot_internal/user", async () => {
    fake.state.pats[PAT] = { copilotRequests: true };
    const status = await runCli(["status", "--json"], env({ COPILOT_GITHUB_TOKEN: PAT }));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      mode: "fine-grained-pat",
      modeDescription: "fine-grained PAT",
      billedTo: "user",
      bearer: "direct",
      login: "octocat",
      tokenSource: "COPILOT_GITHUB_TOKEN",
      tokenMasked: "github_pat_****1234",
      copilotApiUrl: fake.url,
    });
    expect(fake.requestsTo("/copilot_internal/v2/token")).toHaveLength(0);
    const chat = await runCli(["chat", "hello pat"], env({ COPILOT_GITHUB_TOKEN: PAT }));
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain("hello pat");
    const sent = fake.requestsTo("/chat/completions").at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${PAT}`);
    expect(status.stdout + status.stderr + chat.stderr).not.toContain(PAT);
  });

  it("fine-grained PAT without Copilot Requests: one line saying which permission to add", async () => {
    fake.state.pats[PAT] = { copilotRequests: false };
    const result = await runCli(["chat", "hi"], env({ GH_TOKEN: PAT }));
    expect(result.code).toBe(EXIT_CODES.tokenRejected);
    expect(result.stderr).toBe(
      'error: the token from GH_TOKEN, a fine-grained personal access token (github_pat_), was refused by the Copilot API (HTTP 401): give the PAT the account permission "Copilot Requests" (read-only is enough to be accepted), check it has not expired, or use `copilot-gateway login` instead (or unset GH_TOKEN, which takes precedence over the stored login).\n',
    );
  });

  it("gh's token refused by the exchange (404) falls back to the direct bearer", async () => {
    fake.state.exchange.refusedTokens = [GH_CLI_TOKEN];
    fake.state.copilot.directBearers = [GH_CLI_TOKEN];
    const status = await runCli(["status"], env({ GH_TOKEN: GH_CLI_TOKEN }));
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^mode: +GitHub user token$/m);
    expect(status.stdout).toMatch(/^Copilot token: +none: the GitHub token itself is the bearer/m);
    const chat = await runCli(["chat", "via gh"], env({ GH_TOKEN: GH_CLI_TOKEN }));
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain("via gh");
  });

  it("gh's token refused both ways: one line with kind, source and what works", async () => {
    fake.state.exchange.refusedTokens = [GH_CLI_TOKEN];
    const result = await runCli(["status"], env({ GH_TOKEN: GH_CLI_TOKEN }));
    expect(result.code).toBe(EXIT_CODES.tokenRejected);
    expect(result.stderr).toBe(
      "error: the token from GH_TOKEN, an OAuth token (gho_), cannot reach Copilot: the token exchange (HTTP 404) and the Copilot API used directly (HTTP 401) both refused it. What works: `copilot-gateway login` (device flow), a fine-grained PAT with the Copilot Requests permission, or a GitHub App installation (--github-app-id …) (or unset GH_TOKEN, which takes precedence over the stored login).\n",
    );
  });

  it("a classic PAT is refused before any request", async () => {
    const result = await runCli(
      ["chat", "hi"],
      env({ GITHUB_TOKEN: "ghp_classic00000000000000000000000000000" }),
    );
    expect(result.code).toBe(EXIT_CODES.tokenRejected);
    expect(result.stderr).toMatch(
      /^error: the token from GITHUB_TOKEN is a classic personal access token \(ghp_\)/,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("GitHub App installation (flags, key file): status names it and the organisation as billed; chat works", async () => {
    const flags = [
      "--github-app-id",
      "424242",
      "--github-app-installation-id",
      "1001",
      "--github-app-repository-id",
      "77",
      "--github-app-private-key",
      keys.pemFile,
    ];
    // App credentials win over a GH_TOKEN in the environment.
    const status = await runCli([...flags, "status"], env({ GH_TOKEN: GH_CLI_TOKEN }));
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^mode: +App installation 1001 of app 424242$/m);
    expect(status.stdout).toMatch(/^billed to: +the organization that installed the App$/m);
    expect(status.stdout).not.toContain("GitHub login");
    expect(status.stdout).not.toContain("ghs_");
    const chat = await runCli([...flags, "chat", "org billed"], env());
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain("org billed");
  });

  it("GitHub App installation from env, the key as PEM text with literal \\n", async () => {
    const pem = keys.pkcs1Pem.trim().replace(/\n/g, "\\n");
    const result = await runCli(
      ["status", "--json"],
      env({ ...APP_ENV, COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: pem }),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      mode: "app-installation",
      billedTo: "organization",
      tokenSource: "github-app",
    });
  });

  it("GitHub App whose organisation disallows App installations: one line naming the policy", async () => {
    const result = await runCli(
      ["chat", "hi"],
      env({
        ...APP_ENV,
        COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1002",
        COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "90",
        COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: keys.pemFile,
      }),
    );
    expect(result.code).toBe(EXIT_CODES.noCopilotAccess);
    expect(result.stderr).toMatch(
      /^error: The Copilot token exchange refused installation 1002 of GitHub App 424242 \(HTTP 401\): the organization does not allow GitHub App installations/,
    );
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("Actions GITHUB_TOKEN with copilot-requests: write: exchanged, billed to the organisation", async () => {
    fake.state.actionsTokens[ACTIONS] = { org: "acme", copilotRequests: true };
    const status = await runCli(["status", "--json"], env({ GITHUB_TOKEN: ACTIONS, GITHUB_ACTIONS: "true" }));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      mode: "actions-token",
      modeDescription: "Actions token",
      billedTo: "organization",
      bearer: "exchanged",
    });
    const chat = await runCli(["chat", "from ci"], env({ GITHUB_TOKEN: ACTIONS, GITHUB_ACTIONS: "true" }));
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain("from ci");
  });

  it("Actions GITHUB_TOKEN without the permission: says the workflow permission and the org policy", async () => {
    fake.state.actionsTokens[ACTIONS] = { org: "acme", copilotRequests: false };
    const result = await runCli(["chat", "hi"], env({ GITHUB_TOKEN: ACTIONS, GITHUB_ACTIONS: "true" }));
    expect(result.code).toBe(EXIT_CODES.noCopilotAccess);
    expect(result.stderr).toBe(
      'error: the token from GITHUB_TOKEN, a GitHub Actions or App installation token (ghs_), was refused by the Copilot token exchange (HTTP 403): grant it in the workflow with `permissions: copilot-requests: write`, and an organization owner must turn on the policy "Allow use of Copilot CLI billed to the organization".\n',
    );
  });

  it("direct Copilot token: used as is with COPILOT_API_URL, never exchanged", async () => {
    const { token } = fake.issueCopilotToken();
    const exp = Math.floor(Date.now() / 1000) + 1200;
    const copilotToken = token.replace("exp=0", `exp=${exp}`);
    fake.issued.set(copilotToken, Number.POSITIVE_INFINITY);
    const vars = {
      GITHUB_COPILOT_API_TOKEN: copilotToken,
      COPILOT_API_URL: fake.url,
      GH_TOKEN: GH_CLI_TOKEN,
    };
    const status = await runCli(["status", "--json"], env(vars));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      mode: "copilot-token",
      modeDescription: "direct Copilot token",
      billedTo: "token-issuer",
      bearer: "copilot-token",
      copilotApiUrl: fake.url,
      expiresAt: new Date(exp * 1000).toISOString(),
    });
    const chat = await runCli(["chat", "as is"], env(vars));
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain("as is");
    expect(fake.requestsTo("/copilot_internal/v2/token")).toHaveLength(0);
    expect(status.stdout + chat.stderr).not.toContain(copilotToken);
  });

  it("direct Copilot token past its exp: one clear error saying how to get a lasting setup", async () => {
    const result = await runCli(
      ["chat", "hi"],
      env({ GITHUB_COPILOT_API_TOKEN: "tid=old;exp=1700000000;sku=x:mac", COPILOT_API_URL: fake.url }),
    );
    expect(result.code).toBe(EXIT_CODES.tokenRejected);
    expect(result.stderr).toBe(
      "error: The Copilot token from GITHUB_COPILOT_API_TOKEN expired at 2023-11-14T22:13:20.000Z; Copilot tokens live about 30 minutes and cannot be refreshed: for a lasting setup use `copilot-gateway login`, a fine-grained PAT with Copilot Requests (COPILOT_GITHUB_TOKEN) or a GitHub App installation (--github-app-id …).\n",
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("an endpoints.api outside githubcopilot.com is refused, and no prompt goes there", async () => {
    fake.state.exchange.apiUrl = "https://copilot.evil.example";
    const result = await runCli(
      ["chat", "secret prompt"],
      env({ GH_TOKEN: "gho_plain0000000000000000000000000000000" }),
    );
    expect(result.code).toBe(EXIT_CODES.upstream);
    expect(result.stderr).toBe(
      `error: Refused the Copilot API base "https://copilot.evil.example" from the Copilot token exchange's endpoints.api: its host is not under githubcopilot.com. Nothing was sent there; if this is a private proxy you trust, set COPILOT_GATEWAY_COPILOT_API_URL to it.\n`,
    );
  });

  it("an endpoints.api under githubcopilot.com is accepted (status shows it)", async () => {
    fake.state.exchange.apiUrl = "https://api.business.githubcopilot.com";
    const result = await runCli(
      ["status", "--json"],
      env({ GH_TOKEN: "gho_plain0000000000000000000000000000000" }),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).copilotApiUrl).toBe("https://api.business.githubcopilot.com");
  });
});

describe("usage per mode", () => {
  it("fine-grained PAT: the usage report works", async () => {
    fake.state.pats[PAT] = { copilotRequests: true };
    const result = await runCli(["usage", "--json"], env({ COPILOT_GITHUB_TOKEN: PAT }));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ login: "octocat" });
  });

  it("direct Copilot token: usage says it needs a GitHub token (exit 2, one line)", async () => {
    const result = await runCli(
      ["usage"],
      env({ GITHUB_COPILOT_API_TOKEN: "tid=x;exp=9999999999;sku=y:mac", COPILOT_API_URL: fake.url }),
    );
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toBe(
      "error: The Copilot usage report is read with a GitHub token, and the direct Copilot token from GITHUB_COPILOT_API_TOKEN is not one; use `copilot-gateway login` or a fine-grained PAT to see usage.\n",
    );
  });
});

describe("copilot-gateway token", () => {
  it("prints the stored GitHub token, and only it, on stdout", async () => {
    const { home, state } = tempHomes();
    saveGitHubToken(
      { homeDir: state, host: "github.com" },
      { token: "gho_stored00000000000000000000000000000" },
    );
    const result = await runCli(["token"], { HOME: home, COPILOT_GATEWAY_HOME: state });
    expect(result).toMatchObject({
      code: 0,
      stdout: "gho_stored00000000000000000000000000000\n",
      stderr: "",
    });
  });

  it("without a stored login: exit 3 and one line", async () => {
    const { home, state } = tempHomes();
    const result = await runCli(["token"], { HOME: home, COPILOT_GATEWAY_HOME: state });
    expect(result.code).toBe(EXIT_CODES.notSignedIn);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^error: No stored login for github\.com \(.*\); run `copilot-gateway login` first\.\n$/,
    );
  });
});
