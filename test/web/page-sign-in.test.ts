import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { storedTokenPath } from "../../src/auth/token-store.js";
import { resolveSettings } from "../../src/config/settings.js";
import { webPageRoutes } from "../../src/server/routes/page/index.js";
import type { ModelView, PageStateView, SignInState, UsageView } from "../../src/web/page-types.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import type { DevicePollOutcome } from "../fake-upstream/state.js";
import { type Harness, startGateway } from "../server/harness.js";

let fake: FakeUpstream;
let home: string;
let gateway: Harness;

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(async () => {
  fake.reset();
  // Poll every 20 ms instead of GitHub's 5 s so pending flows stay quick without busy-looping the fake.
  fake.state.deviceFlow.interval = 0.02;
  home = mkdtempSync(join(tmpdir(), "cg-web-signin-"));
  const env = { ...fake.env(), COPILOT_GATEWAY_HOME: home };
  const settings = resolveSettings({}, env);
  gateway = await startGateway(fake, { signedIn: false, routes: [webPageRoutes(settings, env)] });
});
afterEach(async () => {
  await gateway.close();
  rmSync(home, { recursive: true, force: true });
});

const PAGE = { "x-copilot-gateway-page": "1" };

async function api<T>(method: "GET" | "POST", path: string): Promise<{ status: number; body: T }> {
  const res = await request(`${gateway.url}/api/page${path}`, {
    method,
    headers: method === "POST" ? { ...PAGE, "content-type": "application/json" } : {},
    body: method === "POST" ? "{}" : undefined,
  });
  return { status: res.statusCode, body: (await res.body.json()) as T };
}

/** Poll the page API like the page does, until the flow leaves its waiting states. */
async function settle(): Promise<SignInState> {
  for (let i = 0; i < 500; i++) {
    const { body } = await api<SignInState>("GET", "/login");
    if (body.status !== "pending" && body.status !== "starting" && body.status !== "completing") return body;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the sign-in never settled");
}

const tokenFile = () => storedTokenPath(home, "github.com");

describe("sign-in from the page", () => {
  it("shows GitHub's code, follows the polling and signs the gateway in", async () => {
    fake.state.deviceFlow.approved = false;
    fake.state.deviceFlow.userCode = "ABCD-1234";
    const before = await gateway
      .client()
      .models.list()
      .catch((e: { status: number }) => e);
    expect((before as { status: number }).status).toBe(401);

    const started = await api<SignInState>("POST", "/login");
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      status: "pending",
      userCode: "ABCD-1234",
      verificationUri: `${fake.url}/login/device`,
    });
    // A second start while one runs returns the same flow instead of asking GitHub again.
    const again = await api<SignInState>("POST", "/login");
    expect(again.body).toEqual(started.body);
    expect(fake.deviceCodesIssued).toBe(1);

    fake.state.deviceFlow.approved = true;
    expect(await settle()).toEqual({ status: "succeeded" });

    const state = (await api<PageStateView>("GET", "/state")).body;
    expect(state.signedIn).toBe(true);
    expect(state.account?.tokenSource).toBe(`the stored login (${tokenFile()})`);
    expect(state.copilotToken?.ready).toBe(true);
    const claude = state.snippets.find((s) => s.id === "claude-code")?.text ?? "";
    expect(claude).toContain(`export ANTHROPIC_BASE_URL='${gateway.url}'`);
    expect(claude).toMatch(/^export ANTHROPIC_MODEL='claude-[^']+'$/m);
    const stored = JSON.parse(readFileSync(tokenFile(), "utf8"));
    expect(stored).toMatchObject({ token: fake.state.deviceFlow.accessToken, login: "octocat" });
    if (process.platform !== "win32") expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);

    // The gateway's own API now works with the new session.
    const chat = await gateway.client().chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(chat.choices[0]?.message.content).toBeTruthy();
    expect(JSON.stringify(state)).not.toContain(fake.state.deviceFlow.accessToken);
  });

  // What the page says for each terminal answer of spec §2 (a function: some messages name the fake's URL).
  const failures: [DevicePollOutcome, () => string][] = [
    ["expired_token", () => "The code expired before it was entered on GitHub. Try again for a new code."],
    ["access_denied", () => "Sign-in was cancelled on GitHub (access denied). Try again when you are ready."],
    [
      "incorrect_client_credentials",
      () => `${fake.url} does not know the OAuth client id "01ab8ac9400c4e429b23"`,
    ],
    [
      "device_flow_disabled",
      () => 'The device flow is disabled for the OAuth client id "01ab8ac9400c4e429b23"',
    ],
    [
      "incorrect_device_code",
      () => "GitHub no longer recognises this sign-in code. Try again for a new code.",
    ],
    ["unsupported_grant_type", () => "rejected the device-flow grant type"],
  ];
  for (const [outcome, message] of failures) {
    it(`shows ${outcome} with its message, stores nothing, and a retry starts a new flow`, async () => {
      fake.state.deviceFlow.script = ["authorization_pending", outcome];
      await api("POST", "/login");
      const failed = await settle();
      expect(failed.status).toBe("failed");
      if (failed.status !== "failed") return;
      expect(failed.error.code).toBe(outcome);
      const expected = message();
      expect(failed.error.message).toContain(expected);
      expect(existsSync(tokenFile())).toBe(false);
      expect((await api<PageStateView>("GET", "/state")).body.signedIn).toBe(false);

      const retry = await api<SignInState>("POST", "/login");
      expect(retry.body.status).toBe("pending");
      expect(fake.deviceCodesIssued).toBe(2);
      expect(await settle()).toEqual({ status: "succeeded" });
    });
  }

  it("shows a failure of the first step (device flow disabled for the app)", async () => {
    fake.state.deviceFlow.codeError = "device_flow_disabled";
    const res = await api<SignInState>("POST", "/login");
    expect(res.body).toMatchObject({ status: "failed", error: { code: "device_flow_disabled" } });
  });

  it("refuses a token that cannot reach Copilot and keeps the gateway signed out", async () => {
    fake.state.exchange.failure = "no_seat";
    await api("POST", "/login");
    const failed = await settle();
    expect(failed.status).toBe("failed");
    expect(existsSync(tokenFile())).toBe(false);
    expect((await api<PageStateView>("GET", "/state")).body.signedIn).toBe(false);
  });

  it("cancels a running flow", async () => {
    fake.state.deviceFlow.approved = false;
    await api("POST", "/login");
    expect((await api<SignInState>("POST", "/login/cancel")).body).toEqual({ status: "idle" });
    fake.state.deviceFlow.approved = true;
    await new Promise((r) => setTimeout(r, 100));
    expect((await api<SignInState>("GET", "/login")).body).toEqual({ status: "idle" });
    expect(existsSync(tokenFile())).toBe(false);
  });

  it("reports a failing background token refresh, in one line and without the token", async () => {
    fake.state.exchange.refreshIn = 1; // the gateway refreshes after half a second
    await api("POST", "/login");
    expect(await settle()).toEqual({ status: "succeeded" });
    fake.state.exchange.failure = "server_error";
    let state = (await api<PageStateView>("GET", "/state")).body;
    for (let i = 0; i < 300 && !state.copilotToken?.problem; i++) {
      await new Promise((r) => setTimeout(r, 20));
      state = (await api<PageStateView>("GET", "/state")).body;
    }
    expect(state.copilotToken?.problem).toMatch(/HTTP 502/);
    expect(state.copilotToken?.problem).not.toContain(fake.state.deviceFlow.accessToken);
  });

  it("refuses to start a sign-in while signed in", async () => {
    await api("POST", "/login");
    await settle();
    const res = await api<{ error: { code: string } }>("POST", "/login");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("already_signed_in");
  });
});

describe("signed in through the page", () => {
  beforeEach(async () => {
    await api("POST", "/login");
    expect(await settle()).toEqual({ status: "succeeded" });
  });

  it("reports the account's plan and quotas", async () => {
    const usage = (await api<UsageView>("GET", "/usage")).body;
    expect(usage).toEqual({
      login: "octocat",
      plan: "business",
      sku: "copilot_enterprise_seat",
      planName: "Copilot Business",
      resetDate: "2026-10-01",
      quotas: {
        premium: {
          entitlement: 300,
          remaining: 93.5,
          percentRemaining: 31.1666667,
          unlimited: false,
          overageCount: 0,
          overagePermitted: false,
          text: "93.5 of 300 left",
        },
        chat: expect.objectContaining({ unlimited: true, text: "unlimited" }),
        completions: expect.objectContaining({ unlimited: true, text: "unlimited" }),
      },
    });
  });

  it("lists the models with policy and enables a consent-needing one", async () => {
    const models = (await api<{ models: ModelView[] }>("GET", "/models")).body.models;
    const consent = models.find((m) => m.id === "fake-consent-model");
    expect(consent).toMatchObject({
      policy: "requires_consent",
      premium: true,
      premiumLabel: expect.stringMatching(/^(×[\d.]+|premium)$/),
      endpoints: ["/chat/completions"],
    });
    expect(models.find((m) => m.id === "fake-disabled-model")?.policy).toBe("disabled");

    const enabled = await api<{ id: string; enabled: boolean }>("POST", "/models/fake-consent-model/enable");
    expect(enabled.body).toEqual({ id: "fake-consent-model", enabled: true });
    expect(fake.requestsTo("/models/fake-consent-model/policy")).toHaveLength(1);
    const after = (await api<{ models: ModelView[] }>("GET", "/models")).body.models;
    expect(after.find((m) => m.id === "fake-consent-model")?.policy).toBe("enabled");
  });

  it("signs out: forgets the stored token and the API answers not signed in again", async () => {
    expect(existsSync(tokenFile())).toBe(true);
    const out = await api<{ signedIn: boolean; note: string | null }>("POST", "/logout");
    expect(out.body).toEqual({ signedIn: false, note: null });
    expect(existsSync(tokenFile())).toBe(false);
    expect((await api<PageStateView>("GET", "/state")).body).toMatchObject({
      signedIn: false,
      signIn: { status: "idle" },
    });
    const err = await gateway
      .client()
      .models.list()
      .catch((e: { status: number }) => e);
    expect((err as { status: number }).status).toBe(401);
  });

  it("keeps its own traffic out of the live log but logs API requests", async () => {
    await gateway.client().models.list();
    const paths = gateway.runtime.log.recent().map((e) => e.path);
    expect(paths).toContain("/v1/models");
    expect(paths.some((p) => p.startsWith("/api/page") || p === "/")).toBe(false);
  });
});

describe("page APIs behind a gateway that allows CORS", () => {
  it("still refuses other origins, and the preflight never allows the page header", async () => {
    const env = { ...fake.env(), COPILOT_GATEWAY_HOME: home };
    const open = await startGateway(fake, {
      signedIn: false,
      corsOrigins: ["*"],
      routes: [webPageRoutes(resolveSettings({}, env), env)],
    });
    try {
      const preflight = await request(`${open.url}/api/page/login`, {
        method: "OPTIONS",
        headers: {
          origin: "http://evil.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "x-copilot-gateway-page,content-type",
        },
      });
      await preflight.body.dump();
      expect(String(preflight.headers["access-control-allow-headers"] ?? "")).not.toContain(
        "x-copilot-gateway-page",
      );
      const res = await request(`${open.url}/api/page/login`, {
        method: "POST",
        headers: { ...PAGE, origin: "http://evil.example", "content-type": "application/json" },
        body: "{}",
      });
      expect(res.statusCode).toBe(403);
      expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe(
        "cross_origin_refused",
      );
      expect(fake.deviceCodesIssued).toBe(0);
    } finally {
      await open.close();
    }
  });
});

describe("DNS rebinding", () => {
  it("refuses the page and its APIs for a foreign Host, even when Origin matches it", async () => {
    // A page on evil.example that rebinds its name to 127.0.0.1 sends Host and Origin that agree with each
    // other, so the Origin check alone would let it through: the loopback Host check must stop it.
    const port = new URL(gateway.url).port;
    const foreign = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/ui/app.js"],
      ["GET", "/api/page/state"],
      ["GET", "/api/page/events"],
      ["POST", "/api/page/login"],
      ["POST", "/api/page/logout"],
    ] as const) {
      const res = await request(`${gateway.url}${path}`, {
        method,
        headers: {
          ...foreign,
          ...(method === "POST" ? { ...PAGE, "content-type": "application/json" } : {}),
        },
        body: method === "POST" ? "{}" : undefined,
      });
      const body = (await res.body.json()) as { error: { code: string } };
      expect([path, res.statusCode, body.error.code]).toEqual([path, 403, "host_not_allowed"]);
    }
    expect(fake.deviceCodesIssued).toBe(0);
  });
});
