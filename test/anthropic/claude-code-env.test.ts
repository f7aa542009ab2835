import { describe, expect, it } from "vitest";
import {
  chooseClaudeCodeModels,
  claudeCodeEnvironment,
  detectShell,
  formatEnvironment,
  parseShell,
} from "../../src/anthropic/claude-code-env.js";
import { type CopilotModel, parseModelCatalogue } from "../../src/copilot/models.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";

const catalogue = parseModelCatalogue(fixtureJson("copilot-models.json")).models;

function model(id: string, extra: Partial<CopilotModel> = {}): CopilotModel {
  return { id, capabilities: { type: "chat" }, ...extra };
}

describe("chooseClaudeCodeModels", () => {
  it("on the recorded catalogue: newest Sonnet as main, Opus offered, a free model for background calls", () => {
    expect(chooseClaudeCodeModels(catalogue)).toEqual({
      main: "claude-sonnet-4.5",
      opus: "claude-opus-4.6",
      // No Haiku on this seat: the catalogue's free chat default takes the background calls.
      smallFast: "gpt-4.1",
    });
  });

  it("prefers the newest Sonnet and a Haiku when the seat has them; skips disabled models", () => {
    const models = [
      model("claude-sonnet-4"),
      model("claude-sonnet-4.6"),
      model("claude-sonnet-5", { policy: { state: "disabled" } }),
      model("claude-haiku-4.5"),
      model("gpt-4.1", { is_chat_default: true, billing: { multiplier: 0 } }),
    ];
    expect(chooseClaudeCodeModels(models)).toEqual({
      main: "claude-sonnet-4.6",
      smallFast: "claude-haiku-4.5",
      opus: undefined,
    });
  });

  it("a seat without Claude uses its chat default for both", () => {
    const models = [model("gpt-5", { is_chat_default: true, billing: { is_premium: true, multiplier: 1 } })];
    expect(chooseClaudeCodeModels(models)).toEqual({ main: "gpt-5", smallFast: "gpt-5", opus: undefined });
  });

  it("a seat with no usable chat model is an error that says what to do", () => {
    expect(() => chooseClaudeCodeModels([model("x", { capabilities: { type: "embeddings" } })])).toThrow(
      /no enabled chat model/,
    );
  });
});

describe("claude-code environment", () => {
  const models = { main: "claude-sonnet-4.5", smallFast: "gpt-4.1", opus: "claude-opus-4.6" };

  it("lists base URL, token (placeholder without an API key), models and the quiet switches", () => {
    expect(claudeCodeEnvironment({ baseUrl: "http://127.0.0.1:4141/", apiKey: undefined, models })).toEqual([
      ["ANTHROPIC_BASE_URL", "http://127.0.0.1:4141"],
      ["ANTHROPIC_AUTH_TOKEN", "copilot-gateway"],
      ["ANTHROPIC_MODEL", "claude-sonnet-4.5"],
      ["ANTHROPIC_DEFAULT_SONNET_MODEL", "claude-sonnet-4.5"],
      ["ANTHROPIC_DEFAULT_OPUS_MODEL", "claude-opus-4.6"],
      ["ANTHROPIC_DEFAULT_HAIKU_MODEL", "gpt-4.1"],
      ["ANTHROPIC_SMALL_FAST_MODEL", "gpt-4.1"],
      ["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY", "1"],
      ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"],
      ["DISABLE_TELEMETRY", "1"],
      ["DISABLE_ERROR_REPORTING", "1"],
      ["DISABLE_BUG_COMMAND", "1"],
    ]);
    expect(claudeCodeEnvironment({ baseUrl: "http://h:1", apiKey: "sk-key", models })[1]).toEqual([
      "ANTHROPIC_AUTH_TOKEN",
      "sk-key",
    ]);
  });

  it.each([
    ["bash", "export A='it'\\''s'\nexport B='x'\n"],
    ["zsh", "export A='it'\\''s'\nexport B='x'\n"],
    ["fish", "set -gx A 'it\\'s'\nset -gx B 'x'\n"],
    ["powershell", "$env:A = 'it''s'\n$env:B = 'x'\n"],
  ] as const)("formats for %s with safe quoting", (shell, expected) => {
    expect(
      formatEnvironment(
        [
          ["A", "it's"],
          ["B", "x"],
        ],
        shell,
      ),
    ).toBe(expected);
  });

  it("detects the shell from $SHELL, PowerShell on Windows, else bash; refuses an unknown --shell", () => {
    expect(detectShell({ SHELL: "/usr/bin/fish" }, "linux")).toBe("fish");
    expect(detectShell({ SHELL: "/bin/zsh" }, "darwin")).toBe("zsh");
    expect(detectShell({}, "win32")).toBe("powershell");
    expect(detectShell({ SHELL: "/bin/tcsh" }, "linux")).toBe("bash");
    expect(() => parseShell("cmd")).toThrow(/Unknown shell "cmd"; use one of bash, zsh, fish, powershell/);
  });
});
