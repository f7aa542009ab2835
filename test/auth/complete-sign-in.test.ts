import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { completeSignIn } from "../../src/auth/complete-sign-in.js";
import { resolveSettings } from "../../src/config/settings.js";
import { TokenExchangeError } from "../../src/copilot/exchange-token.js";
import { createDispatcher } from "../../src/http/dispatcher.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
const dispatcher = createDispatcher({ env: {} });
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  await dispatcher.close();
});
beforeEach(() => fake.reset());

function settings() {
  const home = mkdtempSync(join(tmpdir(), "cg-signin-"));
  return resolveSettings({}, { ...fake.env(), COPILOT_GATEWAY_HOME: home });
}

describe("completeSignIn", () => {
  it("stores the token with the login GitHub reports and returns the account status", async () => {
    const s = settings();
    const saved: string[] = [];
    const { path, status } = await completeSignIn({
      settings: s,
      dispatcher,
      token: "gho_new",
      onSaved: (p) => saved.push(p),
    });
    expect(path).toBe(join(s.homeDir, "tokens", "github.com.json"));
    expect(saved).toEqual([path]);
    expect(status).toMatchObject({
      login: "octocat",
      tokenSource: "stored",
      sku: "copilot_for_business_seat_quota",
    });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ token: "gho_new", login: "octocat" });
  });

  it("keeps a fresh device-flow token even when Copilot refuses it, and throws the reason", async () => {
    fake.state.exchange.failure = "no_seat";
    const s = settings();
    const failure = await completeSignIn({ settings: s, dispatcher, token: "gho_new" }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TokenExchangeError);
    expect((failure as Error).message).toMatch(
      /^the token from the stored login \(.*github\.com\.json\) has no Copilot/,
    );
    expect(existsSync(join(s.homeDir, "tokens", "github.com.json"))).toBe(true);
  });

  it("with verifyBeforeSaving stores nothing when the check fails, naming the token's origin", async () => {
    const s = settings();
    const failure = await completeSignIn({
      settings: s,
      dispatcher,
      token: "not-a-github-token",
      label: "copilot-api (/x/github_token)",
      verifyBeforeSaving: true,
    }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(
      /^the token from copilot-api \(\/x\/github_token\) was rejected/,
    );
    expect(existsSync(join(s.homeDir, "tokens"))).toBe(false);
  });
});
