import { describe, expect, it } from "vitest";
import { resolveEndpoints } from "../../src/config/hosts.js";
import { validateCopilotApiUrl } from "../../src/credentials/copilot-endpoint.js";

const dotcom = resolveEndpoints({});
const tenant = resolveEndpoints({ githubHost: "acme.ghe.com" });
const check =
  (url: string, endpoints = dotcom) =>
  () =>
    validateCopilotApiUrl(url, endpoints, "the exchange");

describe("validateCopilotApiUrl (spec §11)", () => {
  it("accepts githubcopilot.com and its subdomains for github.com accounts", () => {
    expect(check("https://api.githubcopilot.com")()).toBe("https://api.githubcopilot.com");
    expect(check("https://api.business.githubcopilot.com/")()).toBe("https://api.business.githubcopilot.com");
    expect(check("https://githubcopilot.com:443")()).toBe("https://githubcopilot.com:443");
  });

  it.each([
    ["http://api.githubcopilot.com", "it is not https"],
    ["https://user:pw@api.githubcopilot.com", "it carries user info"],
    ["https://10.0.0.8", "its host is an IP address"],
    ["https://[::1]", "its host is an IP address"],
    ["https://api.githubcopilot.com:8443", "it uses port 8443, not 443"],
    ["https://api.githubcopilot.com.evil.example", "its host is not under githubcopilot.com"],
    ["https://evilgithubcopilot.com", "its host is not under githubcopilot.com"],
    ["not a url", "it is not a URL"],
  ])("refuses %s: %s", (url, reason) => {
    expect(check(url)).toThrow(
      `Refused the Copilot API base ${JSON.stringify(url)} from the exchange: ${reason}. Nothing was sent there; if this is a private proxy you trust, set COPILOT_GATEWAY_COPILOT_API_URL to it.`,
    );
  });

  it("keeps a GHE.com tenant's prompts under its own domain, never the public host", () => {
    expect(check("https://copilot-api.acme.ghe.com", tenant)()).toBe("https://copilot-api.acme.ghe.com");
    expect(check("https://api.githubcopilot.com", tenant)).toThrow(
      "a acme.ghe.com account's prompts must stay under acme.ghe.com",
    );
    expect(check("https://copilot-api.other.ghe.com", tenant)).toThrow("must stay under acme.ghe.com");
  });

  it("trusts a base on the origin the operator set as the GitHub API URL (a private proxy, the tests' fake)", () => {
    const proxied = resolveEndpoints({ githubApiUrl: "http://127.0.0.1:8080/" });
    expect(check("http://127.0.0.1:8080", proxied)()).toBe("http://127.0.0.1:8080");
    expect(check("http://127.0.0.1:9090", proxied)).toThrow("it is not https");
  });
});
