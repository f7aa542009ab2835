import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/config/settings.js";
import { createCopilotClient } from "../../src/copilot/client.js";
import { createCopilotSession } from "../../src/copilot/session.js";
import { type GitHubAppConfig, resolveGitHubAppConfig } from "../../src/credentials/github-app/app-config.js";
import { createGitHubAppCredential } from "../../src/credentials/github-app-credential.js";
import { EXIT_CODES } from "../../src/errors.js";
import { createDispatcher } from "../../src/http/dispatcher.js";
import { makeTestAppKeys, type TestAppKeys } from "../fake-upstream/app-keys.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";

let fake: FakeUpstream;
let keys: TestAppKeys;
let otherKeys: TestAppKeys;
const dispatcher = createDispatcher({});

beforeAll(async () => {
  fake = await startFakeUpstream();
  keys = makeTestAppKeys();
  otherKeys = makeTestAppKeys();
});
afterAll(async () => {
  await fake.stop();
  await dispatcher.close();
});
beforeEach(() => {
  fake.reset();
  fake.state.app.publicKey = keys.publicKey;
});

function appConfig(overrides: Record<string, string> = {}): GitHubAppConfig {
  const config = resolveGitHubAppConfig(
    {},
    {
      COPILOT_GATEWAY_GITHUB_APP_ID: "424242",
      COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1001",
      COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "77",
      COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: keys.pemFile,
      ...overrides,
    },
  );
  if (!config) throw new Error("no app config");
  return config;
}

function credential(app = appConfig(), extra: { warn?: (m: string) => void } = {}) {
  const settings = resolveSettings({}, { ...fake.env(), HOME: "/nonexistent" });
  return createGitHubAppCredential({ settings, dispatcher, app, backoffBaseMs: 60_000, ...extra });
}

async function failure(app: GitHubAppConfig) {
  return (await credential(app)
    .copilotToken({ reason: "initial" })
    .catch((e: unknown) => e)) as Error & { code: string; exitCode: number };
}

describe("GitHub App installation credential", () => {
  it("signs a JWT the fake verifies, mints a ghs_ token for one repository and exchanges it", async () => {
    const cred = credential();
    const token = await cred.copilotToken({ reason: "initial" });
    expect(token.bearer).toBe("exchanged");
    expect(fake.isCopilotTokenValid(token.token)).toBe(true);
    const [mint] = fake.requestsTo("/app/installations/1001/access_tokens");
    expect(mint?.method).toBe("POST");
    expect(mint?.headers.accept).toBe("application/vnd.github+json");
    expect(mint?.headers["x-github-api-version"]).toBe("2022-11-28");
    expect(mint?.body).toEqual({ repository_ids: [77], permissions: { copilot_requests: "write" } });
    const jwt = String(mint?.headers.authorization).replace(/^Bearer /, "");
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<
      string,
      number
    >;
    expect(payload.iss).toBe(424242);
    const { iat = 0, exp = 0 } = payload;
    expect(exp - iat).toBeLessThanOrEqual(600);
    expect(iat).toBeLessThan(Date.now() / 1000 - 50);
    const exchange = fake.requestsTo("/copilot_internal/v2/token")[0];
    expect(String(exchange?.headers.authorization)).toMatch(/^token ghs_/);
    expect(cred.describe()).toMatchObject({
      mode: "app-installation",
      description: "App installation 1001 of app 424242",
      billedTo: "organization",
      tokenMasked: undefined,
    });
  });

  it("chats through a session built on it", async () => {
    const settings = resolveSettings({}, { ...fake.env(), HOME: "/nonexistent" });
    const session = createCopilotSession({ settings, source: { kind: "github-app", app: appConfig() } });
    const client = createCopilotClient(session);
    const answer = await client.chat({ messages: [{ role: "user", content: "hello app" }] });
    expect(answer.choices[0]?.message.content).toContain("hello app");
    await session.dispatcher.close();
  });

  it("accepts the key as PKCS#8 PEM text with literal \\n (as pasted into an env variable)", async () => {
    const pasted = keys.pkcs8Pem.trim().replace(/\n/g, "\\n");
    const token = await credential(
      appConfig({ COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: pasted }),
    ).copilotToken({
      reason: "initial",
    });
    expect(fake.isCopilotTokenValid(token.token)).toBe(true);
  });

  it("one mint for concurrent callers, reused until shortly before it expires", async () => {
    fake.state.app.tokenLifetimeSeconds = 2;
    const cred = credential();
    await Promise.all([1, 2, 3, 4].map(() => cred.installationTokens.get()));
    expect(fake.installationTokenRequests).toBe(1);
    await cred.installationTokens.get();
    expect(fake.installationTokenRequests).toBe(1);
    // Half of a 2 s life: then a new one is minted.
    await new Promise((r) => setTimeout(r, 1100));
    await cred.installationTokens.get();
    expect(fake.installationTokenRequests).toBe(2);
  });

  it("the Copilot token's refresh never outlives the installation token", async () => {
    fake.state.app.tokenLifetimeSeconds = 120;
    const token = await credential().copilotToken({ reason: "initial" });
    expect(token.refreshIn).toBeLessThanOrEqual(120);
    expect(token.refreshIn).toBeGreaterThan(100);
  });

  it("401 at the mint (wrong key): names the id and key settings, and backs off instead of asking again", async () => {
    const cred = credential(appConfig({ COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: otherKeys.pemFile }));
    const first = (await cred.copilotToken({ reason: "initial" }).catch((e: unknown) => e)) as Error;
    expect(first).toMatchObject({ code: "github_app_jwt_rejected", exitCode: EXIT_CODES.tokenRejected });
    expect(first.message).toContain("COPILOT_GATEWAY_GITHUB_APP_ID");
    expect(first.message).toContain("COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY");
    const second = (await cred.copilotToken({ reason: "refresh" }).catch((e: unknown) => e)) as Error;
    expect(second).toBe(first);
    expect(fake.installationTokenRequests).toBe(1);
  });

  it("401 at the mint (wrong App id)", async () => {
    const error = await failure(appConfig({ COPILOT_GATEWAY_GITHUB_APP_ID: "999" }));
    expect(error.code).toBe("github_app_jwt_rejected");
    expect(error.message).toMatch(
      /^GitHub rejected the App's JWT for installation 1001 of GitHub App 999 \(HTTP 401/,
    );
  });

  it("403 at the mint: not a GitHub App's credentials, or no Copilot Requests permission", async () => {
    fake.state.app.notAnApp = true;
    const error = await failure(appConfig());
    expect(error.code).toBe("github_app_forbidden");
    expect(error.message).toContain("Resource not accessible by integration");
    expect(error.message).toContain('"Copilot Requests"');
  });

  it("404 at the mint: no such installation, naming the installation id setting", async () => {
    const error = await failure(appConfig({ COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "5" }));
    expect(error.code).toBe("github_app_installation_not_found");
    expect(error.message).toContain("COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID");
  });

  it("422 at the mint: the repository is not visible, naming the repository id setting", async () => {
    const error = await failure(appConfig({ COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "12" }));
    expect(error).toMatchObject({ code: "github_app_repository_not_visible", exitCode: EXIT_CODES.usage });
    expect(error.message).toContain("COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID");
  });

  it("a 5xx at the mint is not permanent: the next call asks again", async () => {
    fake.state.app.mintFailure = "server_error";
    const cred = credential();
    const error = await cred.copilotToken({ reason: "initial" }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: "installation_token_failed" });
    fake.state.app.mintFailure = undefined;
    await cred.copilotToken({ reason: "initial" });
    expect(fake.installationTokenRequests).toBe(2);
  });

  it("401 at the exchange: the organisation does not allow App installations", async () => {
    const error = await failure(
      appConfig({
        COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1002",
        COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "90",
      }),
    );
    expect(error).toMatchObject({ code: "org_disallows_app_copilot", exitCode: EXIT_CODES.noCopilotAccess });
    expect(error.message).toContain("does not allow GitHub App installations to use Copilot");
    // A 401 may be a dead installation token: one fresh mint is tried before concluding.
    expect(fake.installationTokenRequests).toBe(2);
  });

  it("403 at the exchange: the installation lacks Copilot Requests or All repositories", async () => {
    const error = await failure(appConfig({ COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1003" }));
    expect(error).toMatchObject({
      code: "app_lacks_copilot_permission",
      exitCode: EXIT_CODES.noCopilotAccess,
    });
    expect(error.message).toContain("All repositories");
    expect(error.message).toContain("COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID");
  });

  it("clock drift: learns GitHub's clock from its Date header, signs again once, and warns once", async () => {
    fake.state.app.clockSkewSeconds = 900; // GitHub is 15 min ahead: our JWT looks expired to it
    const warnings: string[] = [];
    const cred = credential(appConfig(), { warn: (m) => warnings.push(m) });
    const token = await cred.copilotToken({ reason: "initial" });
    expect(fake.isCopilotTokenValid(token.token)).toBe(true);
    expect(fake.installationTokenRequests).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/clock is (89\d|90\d) s behind GitHub.s/);
    cred.installationTokens.invalidate();
    await cred.installationTokens.get();
    expect(fake.installationTokenRequests).toBe(3);
    expect(warnings).toHaveLength(1);
  });
});

describe("resolveGitHubAppConfig", () => {
  it("is undefined when nothing is set, and names what is missing when only part is", () => {
    expect(resolveGitHubAppConfig({}, {})).toBeUndefined();
    expect(() =>
      resolveGitHubAppConfig({ appId: "1" }, { COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "2" }),
    ).toThrow(
      "A GitHub App installation needs all four settings; missing COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID, COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY.",
    );
  });

  it("flags win over env, and errors name the flag", () => {
    expect(() =>
      resolveGitHubAppConfig(
        { appId: "1", installationId: "x", repositoryId: "3", privateKey: keys.pemFile },
        { COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "2" },
      ),
    ).toThrow('--github-app-installation-id must be a number, got "x".');
  });

  it("refuses a key file that is missing or not a private key", () => {
    const base = { appId: "1", installationId: "2", repositoryId: "3" };
    expect(() => resolveGitHubAppConfig({ ...base, privateKey: "/nonexistent/key.pem" }, {})).toThrow(
      /^--github-app-private-key: cannot read the private key file \/nonexistent\/key.pem \(ENOENT\)/,
    );
    expect(() =>
      resolveGitHubAppConfig(base, { COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: "-----BEGIN nonsense" }),
    ).toThrow(/^COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY is not a PEM private key/);
  });
});
