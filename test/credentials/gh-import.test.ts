import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findImportableTokens, readGitHubCliHostsFile } from "../../src/auth/import-sources.js";
import { EXIT_CODES } from "../../src/errors.js";
import { runCli, tempHomes } from "../cli/cli-run.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const HOSTS_YML = `github.com:
    users:
        octocat:
            oauth_token: gho_nested_not_this_one
    user: octocat
    oauth_token: gho_fromghhosts000000000000000000000000
    git_protocol: https
acme.ghe.com:
    oauth_token: gho_acme
`;

function withGhHosts(home: string): string {
  const dir = join(home, ".config", "gh");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "hosts.yml"), HOSTS_YML);
  return join(dir, "hosts.yml");
}

/** A stand-in `gh` on PATH: a real executable that answers `gh auth token --hostname github.com`. */
function fakeGhOnPath(token: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cg-gh-"));
  const script = join(dir, "gh");
  writeFileSync(
    script,
    `#!/bin/sh\nif [ "$1 $2 $3 $4" = "auth token --hostname github.com" ]; then echo ${token}; exit 0; fi\nexit 1\n`,
  );
  chmodSync(script, 0o755);
  return dir;
}

describe("importing the GitHub CLI's login", () => {
  it("reads the host's own oauth_token from hosts.yml (not a nested user's)", () => {
    expect(readGitHubCliHostsFile(HOSTS_YML, "github.com")).toEqual({
      token: "gho_fromghhosts000000000000000000000000",
      user: "octocat",
    });
    expect(readGitHubCliHostsFile(HOSTS_YML, "acme.ghe.com")).toEqual({ token: "gho_acme" });
    expect(readGitHubCliHostsFile("github.com:\n    git_protocol: ssh\n", "github.com")).toEqual({});
  });

  it("prefers `gh auth token` when gh is installed", () => {
    const { home } = tempHomes();
    withGhHosts(home);
    const found = findImportableTokens("github.com", { HOME: home, PATH: fakeGhOnPath("gho_fromghcli") });
    expect(found.map((c) => [c.token, c.label])).toEqual([
      ["gho_fromghcli", "the GitHub CLI (`gh auth token`)"],
    ]);
  });

  it("login --import verifies gh's token (falling back to the direct bearer) before storing it", async () => {
    const token = "gho_fromghhosts000000000000000000000000";
    fake.state.exchange.refusedTokens = [token];
    fake.state.copilot.directBearers = [token];
    const { home, state } = tempHomes();
    const path = withGhHosts(home);
    const result = await runCli(["login", "--import"], {
      ...fake.env(),
      HOME: home,
      COPILOT_GATEWAY_HOME: state,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Imported the token from the GitHub CLI's hosts.yml (${path})`);
    const stored = JSON.parse(readFileSync(join(state, "tokens", "github.com.json"), "utf8"));
    expect(stored).toMatchObject({ token, source: `import:${path}`, login: "octocat" });
    expect(result.stderr).not.toContain(token);
  });

  it("login --import does not store gh's token when Copilot refuses it every way", async () => {
    fake.state.exchange.refusedTokens = ["gho_fromghhosts000000000000000000000000"];
    const { home, state } = tempHomes();
    withGhHosts(home);
    const result = await runCli(["login", "--import"], {
      ...fake.env(),
      HOME: home,
      COPILOT_GATEWAY_HOME: state,
    });
    expect(result.code).toBe(EXIT_CODES.tokenRejected);
    expect(result.stderr).toMatch(
      /^error: the token from the GitHub CLI's hosts\.yml \(.*\), an OAuth token \(gho_\), cannot reach Copilot/,
    );
    expect(() => readFileSync(join(state, "tokens", "github.com.json"))).toThrow();
  });
});
