import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/errors.js";
import { runCli, tempHomes } from "./cli-run.js";

function env() {
  const { home, state } = tempHomes();
  return { HOME: home, COPILOT_GATEWAY_HOME: state };
}

describe("copilot-gateway CLI frame", () => {
  it("lists login, logout and status in --help", async () => {
    const result = await runCli(["--help"], env());
    expect(result.code).toBe(0);
    for (const command of ["login", "logout", "status"])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  });

  it.each([
    [["foo"], "error: unknown command 'foo'"],
    [["stauts"], "error: unknown command 'stauts' (Did you mean status?)"],
    [["status", "--bogus"], "error: unknown option '--bogus'"],
    [["chat", "--model"], "error: option '-m, --model <id>' argument missing"],
    [["models", "enable"], "error: missing required argument 'id'"],
  ])("a usage mistake (%j) is one line with the way to help, exit 2", async (args, message) => {
    const result = await runCli(args, env());
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`${message}; run \`copilot-gateway --help\` for usage.\n`);
  });

  it("rejects an unknown account type with the usage exit code", async () => {
    const result = await runCli(["--account-type", "team", "status"], env());
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toContain("Allowed choices are individual, business, enterprise");
  });

  it("rejects an invalid GitHub host with one clear line", async () => {
    const result = await runCli(["--github-host", "not a host", "status"], env());
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toBe(
      'error: "not a host" is not a GitHub host name; use e.g. github.com or SUB.ghe.com.\n',
    );
  });

  it("rejects a malformed URL override naming the variable", async () => {
    const result = await runCli(["status"], { ...env(), COPILOT_GATEWAY_GITHUB_API_URL: "ftp://x" });
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toBe(
      'error: COPILOT_GATEWAY_GITHUB_API_URL must be an http(s) URL, got "ftp://x".\n',
    );
  });
});
