import { describe, expect, it } from "vitest";
import { convertRequest, type TargetModel } from "../../../src/translate/anthropic/convert-request.js";
import { messagesRequestSchema } from "../../../src/translate/anthropic/messages-schema.js";

const gpt41: TargetModel = { id: "gpt-4.1", maxOutputTokens: 16384 };
const gpt5mini: TargetModel = {
  id: "gpt-5-mini",
  maxOutputTokens: 64000,
  reasoningEfforts: ["low", "medium", "high"],
};

/** Validate like the route does, then translate. */
function translate(body: Record<string, unknown>, model: TargetModel = gpt41) {
  return convertRequest(messagesRequestSchema.parse({ model: "claude-x", max_tokens: 1024, ...body }), model);
}

const PNG = "iVBORw0KGgo=";

describe("Anthropic request → OpenAI chat request", () => {
  it("system as a string and plain text turns", () => {
    const { result, warnings } = translate({
      system: "Be brief.",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
        { role: "user", content: [{ type: "text", text: "Bye" }] },
      ],
    });
    expect(result.request.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "Bye" },
    ]);
    expect(result.needsVision).toBe(false);
    expect(warnings).toEqual([]);
  });

  it("system as blocks (Claude Code's form, with cache_control) joins into one system message", () => {
    const { result } = translate({
      system: [
        { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Use tools." },
      ],
      messages: [{ role: "user", content: "x" }],
    });
    expect(result.request.messages[0]).toEqual({
      role: "system",
      content: "You are Claude Code.\n\nUse tools.",
    });
  });

  it("images, base64 and URL, become image_url parts and ask for the vision header", () => {
    const { result } = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(result.request.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
    expect(result.needsVision).toBe(true);
  });

  it("tool_use becomes tool_calls, and tool_result (string, blocks, is_error) a tool turn right after it", () => {
    const { result } = translate({
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "weather", input: { city: "Rome" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
            {
              type: "tool_result",
              tool_use_id: "toolu_2",
              is_error: true,
              content: [
                { type: "text", text: "service down" },
                { type: "text", text: "retry later" },
              ],
            },
            { type: "text", text: "Summarise." },
          ],
        },
      ],
    });
    expect(result.request.messages).toEqual([
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          { id: "toolu_2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
      { role: "tool", tool_call_id: "toolu_2", content: "Error: service down\n\nretry later" },
      { role: "user", content: "Summarise." },
    ]);
  });

  it("an assistant turn of only tool calls has null content; an image from a tool follows in a user turn", () => {
    const { result } = translate({
      messages: [
        { role: "user", content: "Screenshot please" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "shot", input: {} }] },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "t1",
              content: [
                { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "AAAA" } },
              ],
            },
          ],
        },
      ],
    });
    expect(result.request.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "t1", type: "function", function: { name: "shot", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "t1", content: "" },
      {
        role: "user",
        content: [
          { type: "text", text: "[images returned by tool call t1]" },
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,AAAA" } },
        ],
      },
    ]);
    expect(result.needsVision).toBe(true);
  });

  it("tools: input_schema → parameters; server tools are left out with a warning", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const { result, warnings } = translate({
      messages: [{ role: "user", content: "x" }],
      tools: [
        { name: "weather", description: "Get weather", input_schema: schema },
        { type: "web_search_20250305", name: "web_search" },
      ],
    });
    expect(result.request.tools).toEqual([
      { type: "function", function: { name: "weather", description: "Get weather", parameters: schema } },
    ]);
    expect(warnings.map((w) => w.code)).toEqual(["unsupported_tool"]);
  });

  it.each([
    [{ type: "auto" }, "auto", undefined],
    [{ type: "any" }, "required", undefined],
    [{ type: "none" }, "none", undefined],
    [{ type: "tool", name: "weather" }, { type: "function", function: { name: "weather" } }, undefined],
    [{ type: "auto", disable_parallel_tool_use: true }, "auto", false],
  ])("tool_choice %j → %j", (choice, expected, parallel) => {
    const { result } = translate({
      messages: [{ role: "user", content: "x" }],
      tools: [{ name: "weather", input_schema: { type: "object" } }],
      tool_choice: choice,
    });
    expect(result.request.tool_choice).toEqual(expected);
    expect(result.request.parallel_tool_calls).toBe(parallel);
  });

  it("sampling settings, stop sequences, user id and streaming carry over", () => {
    const { result } = translate({
      messages: [{ role: "user", content: "x" }],
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ["END", "STOP"],
      metadata: { user_id: "user-42" },
      stream: true,
    });
    expect(result.request).toMatchObject({
      model: "gpt-4.1",
      max_tokens: 1024,
      temperature: 0.3,
      top_p: 0.9,
      stop: ["END", "STOP"],
      user: "user-42",
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("a long user id (Claude Code's) is sent as a stable short digest", () => {
    const long = `user_${"a".repeat(64)}_account__session_0b7e2a8c-3f0e-4c55-9a8e-2f7c1d2e9b11`;
    const first = translate({ messages: [{ role: "user", content: "x" }], metadata: { user_id: long } });
    const again = translate({ messages: [{ role: "user", content: "y" }], metadata: { user_id: long } });
    expect(first.result.request.user).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(again.result.request.user).toBe(first.result.request.user);
  });

  it("max_tokens above the model's output limit is clamped, with a warning", () => {
    const { result, warnings } = translate({ messages: [{ role: "user", content: "x" }], max_tokens: 64000 });
    expect(result.request.max_tokens).toBe(16384);
    expect(warnings.map((w) => w.code)).toEqual(["max_tokens_clamped"]);
  });

  it.each([
    [2048, "low"],
    [10000, "medium"],
    [31999, "high"],
  ])("thinking budget %i → reasoning_effort %s on a model with effort levels", (budget, effort) => {
    const { result, warnings } = translate(
      {
        messages: [{ role: "user", content: "x" }],
        max_tokens: 40000,
        thinking: { type: "enabled", budget_tokens: budget },
      },
      gpt5mini,
    );
    expect(result.request.reasoning_effort).toBe(effort);
    expect(warnings).toEqual([]);
  });

  it("output_config.effort picks the nearest level the model has", () => {
    const { result } = translate(
      { messages: [{ role: "user", content: "x" }], output_config: { effort: "max" } },
      gpt5mini,
    );
    expect(result.request.reasoning_effort).toBe("high");
  });

  it("thinking on a model without effort levels is dropped with a warning", () => {
    const { result, warnings } = translate({
      messages: [{ role: "user", content: "x" }],
      max_tokens: 4000,
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    expect(result.request.reasoning_effort).toBeUndefined();
    expect(warnings.map((w) => w.code)).toEqual(["thinking_dropped"]);
  });

  it("earlier thinking blocks are not replayed to another model; unknown blocks are reported", () => {
    const { result, warnings } = translate({
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "secret", signature: "sig" },
            { type: "text", text: "answer" },
          ],
        },
        {
          role: "user",
          content: [
            { type: "document", source: { type: "text", data: "doc" } },
            { type: "text", text: "y" },
          ],
        },
      ],
    });
    expect(result.request.messages.slice(1)).toEqual([
      { role: "assistant", content: "answer" },
      { role: "user", content: "y" },
    ]);
    expect(warnings.map((w) => w.code)).toEqual(["unsupported_block"]);
  });

  it("the schema refuses a malformed request instead of guessing", () => {
    expect(
      messagesRequestSchema.safeParse({
        model: "m",
        max_tokens: 10,
        messages: [{ role: "user", content: [{ type: "text" }] }],
      }).success,
    ).toBe(false);
    expect(messagesRequestSchema.safeParse({ model: "m", messages: [] }).success).toBe(false);
  });
});
