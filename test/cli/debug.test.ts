import { describe, expect, it } from "vitest";
import { saveGitHubToken, storedTokenPath } from "../../src/auth/token-store.js";
import { runCli, tempHomes } from "./cli-run.js";

// No fake upstream on purpose: `debug` makes no network call, so pointing nowhere must still work.
function setup(extra: Record<string, string> = {}) {
  const { home, state } = tempHomes();
  return { state, env: { HOME: home, COPILOT_GATEWAY_HOME: state, ...extra } };
}

const TOKEN = "gho_debugSecretValue1234567890";

describe("copilot-gateway debug", () => {
  it("--json reports version, runtime, paths, credential source, masked proxy and CA settings, never the token", async () => {
    const { state, env } = setup({
      GH_TOKEN: TOKEN,
      HTTPS_PROXY: "http://alice:proxyS3cret@proxy.corp:3128",
      NO_PROXY: "localhost",
      NODE_EXTRA_CA_CERTS: "/etc/ssl/corp.pem",
    });
    saveGitHubToken({ homeDir: state, host: "github.com" }, { token: "gho_storedSecretabcdef" });
    const result = await runCli(["debug", "--json", "--ca-file", "/tmp/corp-ca.pem"], env);
    expect(result.code).toBe(0);
    // Node itself warns on stderr that the (made-up) NODE_EXTRA_CA_CERTS file is missing; only stdout is ours.
    expect(result.stderr).not.toContain(TOKEN);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      host: "github.com",
      stateDir: state,
      tokenStore: storedTokenPath(state, "github.com"),
      tokenStored: true,
      credentialSource: "GH_TOKEN",
      proxy: { HTTPS_PROXY: "http://alice:***@proxy.corp:3128", NO_PROXY: "localhost" },
      caFile: "/tmp/corp-ca.pem",
      nodeExtraCaCerts: "/etc/ssl/corp.pem",
    });
    expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.stdout).not.toContain(TOKEN);
    expect(result.stdout).not.toContain("gho_storedSecret");
    expect(result.stdout).not.toContain("proxyS3cret");
  });

  it("prints the same facts as labelled lines, and says when nothing is signed in", async () => {
    const withToken = setup({ GH_TOKEN: TOKEN });
    const text = await runCli(["debug"], withToken.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^version:\s+\d+\.\d+\.\d+/m);
    expect(text.stdout).toMatch(new RegExp(`^node:\\s+${process.version.replace(/\./g, "\\.")}$`, "m"));
    expect(text.stdout).toMatch(/^state directory:\s+\S+/m);
    expect(text.stdout).toMatch(/^token store:\s+.*\(no login stored\)$/m);
    expect(text.stdout).toMatch(/^credential source:\s+GH_TOKEN$/m);
    expect(text.stdout).toMatch(/^proxy:\s+none$/m);
    expect(text.stdout).toMatch(/^NODE_EXTRA_CA_CERTS:\s+none$/m);
    expect(text.stdout).not.toContain(TOKEN);

    const nobody = await runCli(["debug", "--json"], setup().env);
    expect(nobody.code).toBe(0);
    expect(JSON.parse(nobody.stdout).credentialSource).toMatch(/^none \(No GitHub token for github\.com/);
  });
});
