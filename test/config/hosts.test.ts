import { describe, expect, it } from "vitest";
import { resolveEndpoints } from "../../src/config/hosts.js";
import { resolveHomeDir } from "../../src/config/paths.js";
import { DEFAULT_CLIENT_ID, resolveSettings } from "../../src/config/settings.js";
import { UsageError } from "../../src/errors.js";

describe("resolveEndpoints", () => {
  it("defaults to github.com and the individual Copilot API", () => {
    expect(resolveEndpoints()).toEqual({
      host: "github.com",
      webUrl: "https://github.com",
      apiUrl: "https://api.github.com",
      apiUrlOverridden: false,
      fallbackCopilotApiUrl: "https://api.githubcopilot.com",
      copilotApiUrlOverride: undefined,
    });
  });

  it("derives the business and enterprise fallbacks from the account type", () => {
    expect(resolveEndpoints({ accountType: "business" }).fallbackCopilotApiUrl).toBe(
      "https://api.business.githubcopilot.com",
    );
    expect(resolveEndpoints({ accountType: "enterprise" }).fallbackCopilotApiUrl).toBe(
      "https://api.enterprise.githubcopilot.com",
    );
  });

  it("derives the GHE.com web, API and Copilot hosts from SUB.ghe.com", () => {
    expect(resolveEndpoints({ githubHost: "https://Acme.ghe.com/", accountType: "enterprise" })).toEqual({
      host: "acme.ghe.com",
      webUrl: "https://acme.ghe.com",
      apiUrl: "https://api.acme.ghe.com",
      apiUrlOverridden: false,
      fallbackCopilotApiUrl: "https://copilot-api.acme.ghe.com",
      copilotApiUrlOverride: undefined,
    });
  });

  it("lets every URL be overridden exactly", () => {
    const endpoints = resolveEndpoints({
      githubHost: "acme.ghe.com",
      githubUrl: "http://127.0.0.1:9/",
      githubApiUrl: "http://proxy.internal/github-api/",
      copilotApiUrl: "http://mirror.internal/copilot",
    });
    expect(endpoints).toMatchObject({
      host: "acme.ghe.com",
      webUrl: "http://127.0.0.1:9",
      apiUrl: "http://proxy.internal/github-api",
      copilotApiUrlOverride: "http://mirror.internal/copilot",
    });
  });

  it("rejects host names and URLs that cannot be right", () => {
    expect(() => resolveEndpoints({ githubHost: "github.com/evil path" })).toThrow(UsageError);
    expect(() => resolveEndpoints({ githubUrl: "github.com" })).toThrow(
      'COPILOT_GATEWAY_GITHUB_URL must be an http(s) URL, got "github.com".',
    );
  });
});

describe("resolveSettings", () => {
  it("reads every documented variable", () => {
    const settings = resolveSettings(
      {},
      {
        COPILOT_GATEWAY_GITHUB_HOST: "acme.ghe.com",
        COPILOT_GATEWAY_ACCOUNT_TYPE: "business",
        COPILOT_GATEWAY_CLIENT_ID: "Iv1.b507a08c87ecfe98",
        COPILOT_GATEWAY_HOME: "/tmp/cg",
        COPILOT_GATEWAY_CA_FILE: "/etc/corp.pem",
        COPILOT_GATEWAY_EDITOR_VERSION: "vscode/9.9.9",
      },
    );
    expect(settings).toMatchObject({
      accountType: "business",
      clientId: "Iv1.b507a08c87ecfe98",
      homeDir: "/tmp/cg",
      caFile: "/etc/corp.pem",
      endpoints: { host: "acme.ghe.com", apiUrl: "https://api.acme.ghe.com" },
      identity: { editorVersion: "vscode/9.9.9" },
    });
  });

  it("lets flags win over variables and falls back to the default client id", () => {
    const settings = resolveSettings(
      { githubHost: "github.com", accountType: "enterprise" },
      { COPILOT_GATEWAY_GITHUB_HOST: "acme.ghe.com", COPILOT_GATEWAY_ACCOUNT_TYPE: "business" },
    );
    expect(settings.endpoints.host).toBe("github.com");
    expect(settings.accountType).toBe("enterprise");
    expect(settings.clientId).toBe(DEFAULT_CLIENT_ID);
    expect(DEFAULT_CLIENT_ID).toBe("01ab8ac9400c4e429b23");
  });

  it("rejects an unknown account type", () => {
    expect(() => resolveSettings({ accountType: "team" }, {})).toThrow(
      'Unknown account type "team"; use one of individual, business, enterprise.',
    );
  });
});

describe("resolveHomeDir", () => {
  it("prefers COPILOT_GATEWAY_HOME, then XDG_DATA_HOME, then ~/.local/share", () => {
    expect(resolveHomeDir({ COPILOT_GATEWAY_HOME: "/a", XDG_DATA_HOME: "/b", HOME: "/h" })).toBe("/a");
    expect(resolveHomeDir({ XDG_DATA_HOME: "/b", HOME: "/h" })).toBe("/b/copilot-gateway");
    expect(resolveHomeDir({ HOME: "/h" })).toBe("/h/.local/share/copilot-gateway");
  });
});
