import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors.js";
import { chatCompletionSchema } from "../../../src/translate/anthropic/chat-schema.js";
import { convertResponse } from "../../../src/translate/anthropic/convert-response.js";
import {
  anthropicErrorBody,
  anthropicErrorFromThrown,
} from "../../../src/translate/anthropic/error-envelope.js";

const translate = (body: unknown, stopSequences?: string[]) =>
  convertResponse(chatCompletionSchema.parse(body), { requestedModel: "asked", stopSequences });

describe("OpenAI chat answer → Anthropic message", () => {
  it("text answer with usage, cached tokens reported apart", () => {
    const { result } = translate({
      id: "chatcmpl-1",
      model: "gpt-4.1",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Hello!" } }],
      usage: { prompt_tokens: 120, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 100 } },
    });
    expect(result).toEqual({
      id: "msg_chatcmpl-1",
      type: "message",
      role: "assistant",
      model: "gpt-4.1",
      content: [{ type: "text", text: "Hello!" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 100,
      },
    });
  });

  it("merges Claude's split choices: text in one, each tool call in another", () => {
    const { result, warnings } = translate({
      id: "3f2c",
      model: "claude-sonnet-4.5",
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: { role: "assistant", content: "Let me check both." },
        },
        {
          index: 1,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            tool_calls: [
              { id: "tooluse_a", type: "function", function: { name: "read", arguments: '{"path":"a"}' } },
            ],
          },
        },
        {
          index: 2,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            tool_calls: [
              { id: "tooluse_b", type: "function", function: { name: "read", arguments: '{"path":"b"}' } },
            ],
          },
        },
      ],
      usage: { prompt_tokens: 50, completion_tokens: 30 },
    });
    expect(result.content).toEqual([
      { type: "text", text: "Let me check both." },
      { type: "tool_use", id: "tooluse_a", name: "read", input: { path: "a" } },
      { type: "tool_use", id: "tooluse_b", name: "read", input: { path: "b" } },
    ]);
    expect(result.stop_reason).toBe("tool_use");
    expect(warnings).toEqual([]);
  });

  it.each([
    ["length", "max_tokens"],
    ["content_filter", "refusal"],
    ["stop", "end_turn"],
  ])("finish_reason %s → stop_reason %s", (finish, stop) => {
    const { result } = translate({
      choices: [{ index: 0, finish_reason: finish, message: { content: "x" } }],
    });
    expect(result.stop_reason).toBe(stop);
  });

  it("stop_sequence is set when the upstream names the sequence it matched", () => {
    const { result } = translate(
      { choices: [{ index: 0, finish_reason: "stop", stop_reason: "END", message: { content: "x" } }] },
      ["END"],
    );
    expect(result).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "END" });
  });

  it("broken tool-call JSON is kept as a string, with a warning", () => {
    const { result, warnings } = translate({
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: { tool_calls: [{ id: "c1", function: { name: "f", arguments: "{oops" } }] },
        },
      ],
    });
    expect(result.content).toEqual([
      { type: "tool_use", id: "c1", name: "f", input: { _raw_arguments: "{oops" } },
    ]);
    expect(warnings.map((w) => w.code)).toEqual(["invalid_tool_arguments"]);
  });

  it("an empty model falls back to the requested one and an id is made up when missing", () => {
    const { result } = translate({ model: "", choices: [] });
    expect(result.model).toBe("asked");
    expect(result.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(result.content).toEqual([]);
  });
});

describe("Anthropic error envelope", () => {
  it.each([
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [402, "billing_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [413, "request_too_large"],
    [422, "invalid_request_error"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [502, "api_error"],
    [503, "overloaded_error"],
    [504, "timeout_error"],
    [529, "overloaded_error"],
  ])("status %i → %s", (status, type) => {
    expect(anthropicErrorBody(status, "msg")).toEqual({ type: "error", error: { type, message: "msg" } });
  });

  it("a GatewayError keeps its status and one-line message; anything else is a 500 api_error", () => {
    expect(anthropicErrorFromThrown(new GatewayError("x", "Quota gone.", { status: 402 }))).toEqual({
      status: 402,
      body: { type: "error", error: { type: "billing_error", message: "Quota gone." } },
    });
    expect(anthropicErrorFromThrown(new TypeError("boom"))).toEqual({
      status: 500,
      body: { type: "error", error: { type: "api_error", message: "Unexpected error: boom" } },
    });
  });
});
