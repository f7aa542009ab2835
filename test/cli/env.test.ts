import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../copilot/helpers.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const MODELS = [
  "export ANTHROPIC_MODEL='claude-sonnet-4.5'",
  "export ANTHROPIC_DEFAULT_SONNET_MODEL='claude-sonnet-4.5'",
  "export ANTHROPIC_DEFAULT_OPUS_MODEL='claude-opus-4.6'",
  "export ANTHROPIC_DEFAULT_HAIKU_MODEL='gpt-4.1'",
  "export ANTHROPIC_SMALL_FAST_MODEL='gpt-4.1'",
  "export CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY='1'",
];
const QUIET = [
  "export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC='1'",
  "export DISABLE_TELEMETRY='1'",
  "export DISABLE_ERROR_REPORTING='1'",
  "export DISABLE_BUG_COMMAND='1'",
];

describe("copilot-gateway env claude-code", () => {
  it("prints bash exports for the default gateway, a placeholder token and models from the catalogue", async () => {
    const { code, stdout, stderr } = await runCli(fake, ["env", "claude-code", "--shell", "bash"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      `# Claude Code → copilot-gateway at http://127.0.0.1:4141. Apply with: eval "$(copilot-gateway env claude-code --shell bash)"`,
      "export ANTHROPIC_BASE_URL='http://127.0.0.1:4141'",
      "export ANTHROPIC_AUTH_TOKEN='copilot-gateway'",
      ...MODELS,
      ...QUIET,
      "",
    ]);
  });

  it("uses the gateway's port and API key from the environment, like serve", async () => {
    const { stdout } = await runCli(fake, ["env", "claude-code", "--shell", "zsh"], {
      env: { COPILOT_GATEWAY_PORT: "5151", COPILOT_GATEWAY_API_KEY: "sk-team-key" },
    });
    expect(stdout).toContain("export ANTHROPIC_BASE_URL='http://127.0.0.1:5151'\n");
    expect(stdout).toContain("export ANTHROPIC_AUTH_TOKEN='sk-team-key'\n");
  });

  it("its bash output evaluates to exactly those variables", async () => {
    const { stdout } = await runCli(fake, ["env", "claude-code", "--shell", "bash", "--port", "4242"]);
    const printed = execFileSync("bash", ["-c", `${stdout}\nenv`], { env: {}, encoding: "utf8" });
    expect(printed).toContain("ANTHROPIC_BASE_URL=http://127.0.0.1:4242\n");
    expect(printed).toContain("ANTHROPIC_MODEL=claude-sonnet-4.5\n");
    expect(printed).toContain("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1\n");
  });

  it("the 'Apply with' line keeps --port and --api-key, and fish pipes into source", async () => {
    const bash = await runCli(fake, [
      "env",
      "claude-code",
      "--port",
      "4242",
      "--api-key",
      "sk-a b",
      "--shell",
      "bash",
    ]);
    expect(bash.stdout.split("\n")[0]).toBe(
      `# Claude Code → copilot-gateway at http://127.0.0.1:4242. Apply with: eval "$(copilot-gateway env claude-code --port 4242 --api-key 'sk-a b' --shell bash)"`,
    );
    const fish = await runCli(fake, ["env", "claude-code", "--port", "4242", "--shell", "fish"]);
    expect(fish.stdout.split("\n")[0]).toBe(
      "# Claude Code → copilot-gateway at http://127.0.0.1:4242. Apply with: copilot-gateway env claude-code --port 4242 --shell fish | source",
    );
  });

  it("prints fish and PowerShell syntax", async () => {
    const fish = await runCli(fake, ["env", "claude-code", "--shell", "fish"]);
    expect(fish.stdout).toContain("set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:4141'\n");
    const ps = await runCli(fake, ["env", "claude-code", "--shell", "powershell"]);
    expect(ps.stdout).toContain("$env:ANTHROPIC_MODEL = 'claude-sonnet-4.5'\n");
    expect(ps.stdout).toContain("Out-String | Invoke-Expression");
  });

  it("refuses an unknown shell or target with a usage error (exit 2)", async () => {
    const shell = await runCli(fake, ["env", "claude-code", "--shell", "cmd"]);
    expect(shell).toMatchObject({
      code: 2,
      stdout: "",
      stderr: 'error: Unknown shell "cmd"; use one of bash, zsh, fish, powershell.\n',
    });
    const target = await runCli(fake, ["env", "cursor"]);
    expect(target).toMatchObject({
      code: 2,
      stderr:
        'error: Unknown target "cursor"; use one of: claude-code, codex, opencode, aider, continue, curl.\n',
    });
  });

  it("when not signed in, says how to sign in", async () => {
    const { code, stderr } = await runCli(fake, ["env", "claude-code"], {
      env: { COPILOT_GITHUB_TOKEN: undefined },
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^error: .*copilot-gateway login/);
  });
});
