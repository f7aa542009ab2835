import { describe, expect, it } from "vitest";
import { describeTokenKind, maskToken, overrideHint } from "../../src/auth/github-token.js";

describe("maskToken", () => {
  it("keeps only the kind prefix and the last four characters", () => {
    expect(maskToken("gho_abcdefghijklmnopqrstuvwxyz0123456789")).toBe("gho_****6789");
    expect(maskToken("github_pat_11AAAAAAA0_secretsecretsecret")).toBe("github_pat_****cret");
    expect(maskToken("tid=abc;exp=1;sku=x:mac")).toBe("****:mac");
    expect(maskToken("short")).toBe("****");
  });

  it("shows no characters of a short secret (a truncated or test token would be nearly all revealed)", () => {
    expect(maskToken("gho_abcde")).toBe("gho_****");
    expect(maskToken("gho_abcdefghijklmno")).toBe("gho_****");
    expect(maskToken("gho_abcdefghijklmnop")).toBe("gho_****mnop");
  });
});

describe("describeTokenKind", () => {
  it("recognises the documented prefixes", () => {
    expect(describeTokenKind("ghp_x")).toBe("a classic personal access token (ghp_)");
    expect(describeTokenKind("github_pat_x")).toBe("a fine-grained personal access token (github_pat_)");
    expect(describeTokenKind("ghs_x")).toBe("a GitHub Actions or app installation token (ghs_)");
    expect(describeTokenKind("gho_x")).toBe("an OAuth token (gho_)");
    expect(describeTokenKind("ghu_x")).toBe("a GitHub App user token (ghu_)");
    expect(describeTokenKind("something")).toBeUndefined();
  });
});

describe("overrideHint", () => {
  it("tells how to let the stored login win, for the flag and the variables only", () => {
    expect(overrideHint({ value: "x", origin: "flag", label: "--github-token" })).toBe(
      " (drop --github-token to use the stored login)",
    );
    expect(overrideHint({ value: "x", origin: "GH_TOKEN", label: "GH_TOKEN" })).toBe(
      " (or unset GH_TOKEN, which takes precedence over the stored login)",
    );
    expect(overrideHint({ value: "x", origin: "stored", label: "the stored login" })).toBe("");
  });
});
