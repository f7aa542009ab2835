import { describe, expect, it } from "vitest";
import { initiatorForMessages, isClaudeCodeClient } from "../../src/anthropic/initiator.js";
import type { MessageParam } from "../../src/translate/anthropic/messages-schema.js";

const user = (content: MessageParam["content"]): MessageParam => ({ role: "user", content });
const tools = [{ name: "t" }];

describe("X-Initiator for Anthropic requests", () => {
  it("a fresh user turn is `user`", () => {
    expect(initiatorForMessages({ messages: [user("hi")], tools })).toBe("user");
    expect(
      initiatorForMessages({
        messages: [user("a"), { role: "assistant", content: "b" }, user([{ type: "text", text: "c" }])],
        tools,
      }),
    ).toBe("user");
  });

  it("a turn carrying tool results is `agent`", () => {
    expect(
      initiatorForMessages({
        messages: [user([{ type: "tool_result", tool_use_id: "t1", content: "ok" }])],
        tools,
      }),
    ).toBe("agent");
  });

  it("an assistant prefill is `agent`", () => {
    expect(initiatorForMessages({ messages: [user("a"), { role: "assistant", content: "{" }] })).toBe(
      "agent",
    );
  });

  it("Claude Code's tool-less background calls are `agent`; other clients without tools stay `user`", () => {
    expect(initiatorForMessages({ messages: [user("Write a title")] }, { claudeCode: true })).toBe("agent");
    expect(initiatorForMessages({ messages: [user("Write a title")] }, { claudeCode: false })).toBe("user");
    expect(initiatorForMessages({ messages: [user("Fix the bug")], tools }, { claudeCode: true })).toBe(
      "user",
    );
  });

  it("recognises Claude Code by its user agent or x-app header", () => {
    expect(isClaudeCodeClient({ "user-agent": "claude-cli/2.0.14 (external, cli)" })).toBe(true);
    expect(isClaudeCodeClient({ "x-app": "cli" })).toBe(true);
    expect(isClaudeCodeClient({ "user-agent": "Anthropic/JS 1.13.0" })).toBe(false);
  });
});
