import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { saveGitHubToken } from "../../src/auth/token-store.js";
import { EXIT_CODES } from "../../src/errors.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { runCli, tempHomes } from "./cli-run.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

function setup() {
  const { home, state } = tempHomes();
  return { state, env: { ...fake.env(), HOME: home, COPILOT_GATEWAY_HOME: state } };
}

describe("copilot-gateway logout", () => {
  it("deletes the stored login for the host only; status then fails naming login", async () => {
    const { state, env } = setup();
    const path = saveGitHubToken({ homeDir: state, host: "github.com" }, { token: "gho_a" });
    const ghe = saveGitHubToken({ homeDir: state, host: "acme.ghe.com" }, { token: "gho_b" });
    const result = await runCli(["logout"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`Signed out of github.com: removed ${path}.\n`);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(ghe)).toBe(true);
    const status = await runCli(["status"], env);
    expect(status.code).toBe(EXIT_CODES.notSignedIn);
    expect(status.stderr).toContain("run `copilot-gateway login`");
  });

  it("logs out of the host --github-host names", async () => {
    const { state, env } = setup();
    const ghe = saveGitHubToken({ homeDir: state, host: "acme.ghe.com" }, { token: "gho_b" });
    const result = await runCli(["--github-host", "acme.ghe.com", "logout"], env);
    expect(result.code).toBe(0);
    expect(existsSync(ghe)).toBe(false);
  });

  it("says so when nothing is stored, and warns that a token variable stays in use", async () => {
    const { env } = setup();
    const result = await runCli(["logout"], { ...env, GITHUB_TOKEN: "gho_x" });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      "No stored login for github.com; nothing to remove.\nnote: GITHUB_TOKEN is still set and will keep being used; unset it to sign out.\n",
    );
  });
});
