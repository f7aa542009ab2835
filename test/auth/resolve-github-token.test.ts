import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NotSignedInError, resolveGitHubToken } from "../../src/auth/resolve-github-token.js";
import { saveGitHubToken } from "../../src/auth/token-store.js";
import { resolveSettings } from "../../src/config/settings.js";
import { EXIT_CODES } from "../../src/errors.js";

function setup(flag?: string) {
  const home = mkdtempSync(join(tmpdir(), "cg-resolve-"));
  const settings = resolveSettings({ githubToken: flag }, { COPILOT_GATEWAY_HOME: home });
  return { home, settings };
}

const ALL = { COPILOT_GITHUB_TOKEN: "gho_copilot", GH_TOKEN: "gho_gh", GITHUB_TOKEN: "gho_github" };

describe("resolveGitHubToken precedence", () => {
  it("takes --github-token over everything", () => {
    const { home, settings } = setup("gho_flag");
    saveGitHubToken({ homeDir: home, host: "github.com" }, { token: "gho_stored" });
    expect(resolveGitHubToken(settings, ALL)).toEqual({
      value: "gho_flag",
      origin: "flag",
      label: "--github-token",
    });
  });

  it("then COPILOT_GITHUB_TOKEN, GH_TOKEN, GITHUB_TOKEN in that order", () => {
    const { settings } = setup();
    expect(resolveGitHubToken(settings, ALL)).toMatchObject({
      value: "gho_copilot",
      origin: "COPILOT_GITHUB_TOKEN",
    });
    const { COPILOT_GITHUB_TOKEN: _a, ...noCopilot } = ALL;
    expect(resolveGitHubToken(settings, noCopilot)).toMatchObject({ value: "gho_gh", label: "GH_TOKEN" });
    expect(resolveGitHubToken(settings, { GITHUB_TOKEN: "gho_github" })).toMatchObject({
      value: "gho_github",
      label: "GITHUB_TOKEN",
    });
  });

  it("ignores empty or blank variables", () => {
    const { settings } = setup();
    expect(
      resolveGitHubToken(settings, { COPILOT_GITHUB_TOKEN: " ", GH_TOKEN: "", GITHUB_TOKEN: "gho_x" }),
    ).toMatchObject({ origin: "GITHUB_TOKEN" });
  });

  it("then the stored login for the host, naming its file", () => {
    const { home, settings } = setup();
    saveGitHubToken({ homeDir: home, host: "github.com" }, { token: "gho_stored" });
    expect(resolveGitHubToken(settings, {})).toEqual({
      value: "gho_stored",
      origin: "stored",
      label: `the stored login (${join(home, "tokens", "github.com.json")})`,
    });
  });

  it("uses only the stored login of the selected host", () => {
    const home = mkdtempSync(join(tmpdir(), "cg-resolve-"));
    saveGitHubToken({ homeDir: home, host: "github.com" }, { token: "gho_dotcom" });
    const ghe = resolveSettings({ githubHost: "acme.ghe.com" }, { COPILOT_GATEWAY_HOME: home });
    expect(() => resolveGitHubToken(ghe, {})).toThrow(NotSignedInError);
  });

  it("fails at once naming the variables and login when there is no token", () => {
    const { settings } = setup();
    let failure: unknown;
    try {
      resolveGitHubToken(settings, {});
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(NotSignedInError);
    expect(failure).toMatchObject({ code: "not_signed_in", exitCode: EXIT_CODES.notSignedIn });
    expect((failure as Error).message).toBe(
      "No GitHub token for github.com: run `copilot-gateway login`, or set COPILOT_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN), or pass --github-token.",
    );
  });
});

describe("malformed tokens", () => {
  it("refuses a token with a space, line break or other character no GitHub token has, naming its source only", () => {
    const { settings } = setup();
    expect(() => resolveGitHubToken(settings, { GH_TOKEN: "gho_secret\r\nrest" })).toThrow(
      "the token from GH_TOKEN contains spaces, line breaks or other characters no GitHub token has; set it to the token alone.",
    );
    const flag = setup("gho_a b").settings;
    let failure: unknown;
    try {
      resolveGitHubToken(flag, {});
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: "invalid_github_token", exitCode: EXIT_CODES.usage });
    expect((failure as Error).message).not.toContain("gho_a");
    // Surrounding whitespace (a pasted token, `$(cat file)`) is trimmed, not refused.
    expect(resolveGitHubToken(settings, { GH_TOKEN: " gho_ok\n" }).value).toBe("gho_ok");
  });
});

describe("stored GitHub App user tokens with an expiry", () => {
  it("are used before their expiry and refused after it, with the way out", () => {
    const { home, settings } = setup();
    saveGitHubToken(
      { homeDir: home, host: "github.com" },
      { token: "ghu_app", expiresAt: "2030-01-01T00:00:00.000Z", refreshToken: "ghr_x" },
    );
    const before = Date.parse("2029-12-31T23:59:59.000Z");
    expect(resolveGitHubToken(settings, {}, { now: () => before }).value).toBe("ghu_app");
    expect(() =>
      resolveGitHubToken(settings, {}, { now: () => Date.parse("2030-01-01T00:00:00.000Z") }),
    ).toThrow(
      "The stored login for github.com expired at 2030-01-01T00:00:00.000Z; run `copilot-gateway login --force` to sign in again.",
    );
  });
});
