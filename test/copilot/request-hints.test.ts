import { describe, expect, it } from "vitest";
import { ChatAccumulator, mergeSplitChoices } from "../../src/copilot/chat-accumulator.js";
import {
  anthropicInitiator,
  chatInitiator,
  hasImageInput,
  responsesInitiator,
} from "../../src/copilot/request-hints.js";

describe("X-Initiator", () => {
  it("is user only for a fresh user turn in chat messages", () => {
    expect(chatInitiator([{ role: "user", content: "hi" }])).toBe("user");
    expect(
      chatInitiator([
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
        { role: "user", content: "and now?" },
      ]),
    ).toBe("user");
    expect(
      chatInitiator([
        { role: "user", content: "hi" },
        { role: "tool", content: "42" },
      ]),
    ).toBe("agent");
    expect(
      chatInitiator([
        { role: "user", content: "hi" },
        { role: "assistant", content: "prefill" },
      ]),
    ).toBe("agent");
    expect(chatInitiator([])).toBe("agent");
  });

  it("reads Responses input and Anthropic messages the same way", () => {
    expect(responsesInitiator("hi")).toBe("user");
    expect(responsesInitiator([{ role: "user", content: "hi" }])).toBe("user");
    expect(responsesInitiator([{ type: "function_call_output", call_id: "c", output: "x" }])).toBe("agent");
    expect(anthropicInitiator([{ role: "user", content: "hi" }])).toBe("user");
    expect(anthropicInitiator([{ role: "user", content: [{ type: "text", text: "hi" }] }])).toBe("user");
    expect(
      anthropicInitiator([
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t", content: "x" },
            { type: "text", text: "note" },
          ],
        },
      ]),
    ).toBe("agent");
  });
});

describe("hasImageInput", () => {
  it("finds images in chat, Responses and Anthropic content, including tool results", () => {
    expect(hasImageInput([{ role: "user", content: "a picture of a cat" }])).toBe(false);
    expect(hasImageInput([{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }])).toBe(
      true,
    );
    expect(hasImageInput([{ role: "user", content: [{ type: "input_image", image_url: "x" }] }])).toBe(true);
    expect(
      hasImageInput([
        {
          role: "user",
          content: [
            { type: "tool_result", content: [{ type: "image", source: { type: "base64", data: "" } }] },
          ],
        },
      ]),
    ).toBe(true);
    expect(hasImageInput(undefined)).toBe(false);
  });
});

describe("ChatAccumulator and mergeSplitChoices", () => {
  it("merges text and tool calls Claude splits across choices", () => {
    const merged = mergeSplitChoices({
      id: "x",
      object: "chat.completion",
      created: 1,
      model: "claude",
      choices: [
        { index: 0, message: { role: "assistant", content: "Let me check." }, finish_reason: "stop" },
        {
          index: 1,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }],
          },
          finish_reason: "tool_calls",
        },
      ],
    });
    expect(merged.choices).toEqual([
      {
        index: 0,
        finish_reason: "tool_calls",
        message: {
          role: "assistant",
          content: "Let me check.",
          tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
      },
    ]);
  });

  it("starts a new tool call when a new id reuses index 0", () => {
    const acc = new ChatAccumulator();
    const chunk = (tool: Record<string, unknown>) => ({
      id: "c",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta: { tool_calls: [tool as never] }, finish_reason: null }],
    });
    acc.push(chunk({ index: 0, id: "a", function: { name: "f" } }));
    acc.push(chunk({ index: 0, function: { arguments: "{}" } }));
    acc.push(chunk({ index: 0, id: "b", function: { name: "g" } }));
    acc.push(chunk({ index: 0, function: { arguments: '{"x":1}' } }));
    expect(acc.result().choices[0]?.message.tool_calls).toEqual([
      { id: "a", type: "function", function: { name: "f", arguments: "{}" } },
      { id: "b", type: "function", function: { name: "g", arguments: '{"x":1}' } },
    ]);
  });
});
