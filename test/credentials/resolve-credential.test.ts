import { describe, expect, it } from "vitest";
import { saveGitHubToken } from "../../src/auth/token-store.js";
import { resolveSettings } from "../../src/config/settings.js";
import { resolveCredentialSource } from "../../src/credentials/resolve-credential.js";
import { diagnoseTokenKind } from "../../src/credentials/token-kind.js";
import { EXIT_CODES } from "../../src/errors.js";
import { tempHomes } from "../cli/cli-run.js";
import { makeTestAppKeys } from "../fake-upstream/app-keys.js";

const keys = makeTestAppKeys();
const APP = {
  COPILOT_GATEWAY_GITHUB_APP_ID: "7",
  COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "42",
  COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "9",
  COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: keys.pemFile,
};
const DIRECT = {
  GITHUB_COPILOT_API_TOKEN: "tid=abc;exp=9999999999;sku=x:mac",
  COPILOT_API_URL: "https://proxy.corp",
};
const USER_ENV = {
  COPILOT_GITHUB_TOKEN: "gho_copilotgithubtoken",
  GH_TOKEN: "gho_ghtoken",
  GITHUB_TOKEN: "ghs_githubtoken",
};

function resolve(env: Record<string, string>, flag?: string) {
  const { state } = tempHomes();
  saveGitHubToken({ homeDir: state, host: "github.com" }, { token: "gho_stored" });
  const settings = resolveSettings({ githubToken: flag, homeDir: state }, env);
  return resolveCredentialSource(settings, env);
}

function describeSource(source: ReturnType<typeof resolveCredentialSource>): string {
  if (source.kind === "github-token") return source.token.origin;
  return source.kind;
}

describe("resolveCredentialSource: the documented precedence", () => {
  it("flag > App > direct Copilot token > COPILOT_GITHUB_TOKEN > GH_TOKEN > GITHUB_TOKEN > stored login", () => {
    const all = { ...APP, ...DIRECT, ...USER_ENV };
    expect(describeSource(resolve(all, "gho_flag"))).toBe("flag");
    expect(describeSource(resolve(all))).toBe("github-app");
    const { COPILOT_GATEWAY_GITHUB_APP_ID: _a, ...noAppId } = all;
    // A partial App configuration is an error, not a silent fall-through.
    expect(() => resolve(noAppId)).toThrow(/missing COPILOT_GATEWAY_GITHUB_APP_ID/);
    expect(describeSource(resolve({ ...DIRECT, ...USER_ENV }))).toBe("copilot-token");
    expect(describeSource(resolve(USER_ENV))).toBe("COPILOT_GITHUB_TOKEN");
    expect(describeSource(resolve({ GH_TOKEN: "gho_x", GITHUB_TOKEN: "ghs_y" }))).toBe("GH_TOKEN");
    expect(describeSource(resolve({ GITHUB_TOKEN: "ghs_y" }))).toBe("GITHUB_TOKEN");
    expect(describeSource(resolve({}))).toBe("stored");
  });

  it("the direct Copilot token keeps COPILOT_API_URL", () => {
    expect(resolve(DIRECT)).toEqual({
      kind: "copilot-token",
      token: DIRECT.GITHUB_COPILOT_API_TOKEN,
      apiUrl: "https://proxy.corp",
      label: "GITHUB_COPILOT_API_TOKEN",
    });
  });

  it("refuses a classic PAT at once, saying what works instead", () => {
    const error = (() => {
      try {
        resolve({ GH_TOKEN: "ghp_classic000000000000000000000000000000" });
      } catch (e) {
        return e as Error & { code: string; exitCode: number };
      }
    })();
    expect(error).toMatchObject({ code: "classic_pat_unsupported", exitCode: EXIT_CODES.tokenRejected });
    expect(error?.message).toBe(
      "the token from GH_TOKEN is a classic personal access token (ghp_), which Copilot never accepts; use `copilot-gateway login` (device flow), a fine-grained PAT with the Copilot Requests permission, or a GitHub App installation (--github-app-id …) instead.",
    );
  });

  it("refuses a Copilot token given as a GitHub token, naming the right variable", () => {
    expect(() => resolve({}, "tid=abc;exp=1:mac")).toThrow(
      "the token from --github-token is a Copilot token (tid=…), not a GitHub token; pass it as GITHUB_COPILOT_API_TOKEN (with COPILOT_API_URL) instead.",
    );
  });
});

describe("diagnoseTokenKind", () => {
  it.each([
    ["gho_x", "oauth-user"],
    ["ghu_x", "app-user"],
    ["github_pat_x", "fine-grained-pat"],
    ["ghs_x", "installation"],
    ["ghp_x", "classic-pat"],
    ["tid=x;exp=1", "copilot-token"],
    ["something", "unknown"],
  ])("%s is %s", (token, kind) => {
    expect(diagnoseTokenKind(token)).toBe(kind);
  });
});
