import { describe, expect, it } from "vitest";
import { ChatAccumulator } from "../../src/copilot/chat-accumulator.js";
import type { ChatCompletionChunk } from "../../src/copilot/chat-types.js";
import { UpstreamStreamError } from "../../src/sse/stream-errors.js";
import { chatToResponsesRequest } from "../../src/translate/responses/chat-to-responses.js";
import { createResponsesToChatStream } from "../../src/translate/responses/responses-stream-to-chat.js";
import { responsesToChatCompletion } from "../../src/translate/responses/responses-to-chat.js";
import { sseEvents } from "../fake-upstream/fixtures.js";

describe("chatToResponsesRequest", () => {
  it("maps messages, tools and options to the Responses shape", () => {
    const { value, warnings } = chatToResponsesRequest({
      model: "gpt-5.1-codex",
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      reasoning_effort: "high",
      parallel_tool_calls: false,
      user: "u1",
      messages: [
        { role: "system", content: "rule one" },
        { role: "developer", content: [{ type: "text", text: "rule two" }] },
        {
          role: "user",
          content: [
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: "https://x/cat.png", detail: "low" } },
          ],
        },
        {
          role: "assistant",
          content: "calling",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":1}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "found" },
        { role: "system", content: "late rule" },
      ],
      tools: [
        { type: "function", function: { name: "lookup", description: "d", parameters: { type: "object" } } },
      ],
      tool_choice: { type: "function", function: { name: "lookup" } },
      response_format: {
        type: "json_schema",
        json_schema: { name: "out", schema: { type: "object" }, strict: true },
      },
    });
    expect(warnings).toEqual([]);
    expect(value).toEqual({
      model: "gpt-5.1-codex",
      instructions: "rule one\n\nrule two",
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 100,
      reasoning: { effort: "high" },
      parallel_tool_calls: false,
      user: "u1",
      input: [
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "look" },
            { type: "input_image", image_url: "https://x/cat.png", detail: "low" },
          ],
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "calling" }] },
        { type: "function_call", call_id: "call_1", name: "lookup", arguments: '{"q":1}' },
        { type: "function_call_output", call_id: "call_1", output: "found" },
        { type: "message", role: "developer", content: [{ type: "input_text", text: "late rule" }] },
      ],
      tools: [{ type: "function", name: "lookup", description: "d", parameters: { type: "object" } }],
      tool_choice: { type: "function", name: "lookup" },
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
    });
  });

  it("warns about what /responses cannot express", () => {
    const { warnings } = chatToResponsesRequest({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stop: ["\n"],
      n: 2,
    });
    expect(warnings).toEqual([
      "`stop` has no /responses equivalent and was dropped",
      "`n` > 1 is not supported by /responses; one choice is returned",
    ]);
  });
});

describe("responsesToChatCompletion", () => {
  it("joins text, lists function calls and maps usage", () => {
    const completion = responsesToChatCompletion(
      {
        id: "resp_1",
        created_at: 1700000000,
        model: "gpt-5.1-codex",
        status: "completed",
        output: [
          { type: "reasoning", summary: [{ type: "summary_text", text: "thinking" }] },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "Hello" }] },
          { type: "function_call", call_id: "call_9", name: "f", arguments: "{}" },
        ],
        usage: {
          input_tokens: 20,
          output_tokens: 7,
          total_tokens: 27,
          input_tokens_details: { cached_tokens: 16 },
          output_tokens_details: { reasoning_tokens: 3 },
        },
      },
      "gpt-5.1-codex",
    );
    expect(completion).toEqual({
      id: "resp_1",
      object: "chat.completion",
      created: 1700000000,
      model: "gpt-5.1-codex",
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: "Hello",
            reasoning_text: "thinking",
            tool_calls: [{ id: "call_9", type: "function", function: { name: "f", arguments: "{}" } }],
          },
        },
      ],
      usage: {
        prompt_tokens: 20,
        completion_tokens: 7,
        total_tokens: 27,
        prompt_tokens_details: { cached_tokens: 16 },
        completion_tokens_details: { reasoning_tokens: 3 },
      },
    });
  });

  it("reports an answer cut by the output limit as finish_reason length", () => {
    const completion = responsesToChatCompletion(
      { id: "r", status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [] },
      "m",
    );
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.model).toBe("m");
  });
});

describe("createResponsesToChatStream", () => {
  it("turns the real /responses capture into chat chunks with text, finish and usage", () => {
    const translator = createResponsesToChatStream("gpt-5.5");
    const chunks: ChatCompletionChunk[] = [];
    for (const { data } of sseEvents("responses-stream.sse"))
      chunks.push(...translator.push(JSON.parse(data)));
    const acc = new ChatAccumulator();
    for (const c of chunks) acc.push(c);
    const result = acc.result();
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect(result.model).toBe("gpt-5.5-2026-04-23");
    expect(result.choices[0]?.message.content).toBe(
      "Today’s date is **Thursday, August 20, 2026** in U.S. time zones. ",
    );
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 4693,
        completion_tokens: 112,
        total_tokens: 4805,
        prompt_tokens_details: { cached_tokens: 3712 },
        completion_tokens_details: { reasoning_tokens: 51 },
      },
    });
    // The web-search call is not a function call: no tool call may leak into the chat answer.
    expect(result.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it("keys function-call argument deltas by output_index, whatever their item ids", () => {
    const t = createResponsesToChatStream("m");
    const out = [
      ...t.push({ type: "response.created", response: { id: "r1", model: "m", created_at: 5 } }),
      ...t.push({
        type: "response.output_item.added",
        output_index: 1,
        item: { type: "function_call", call_id: "call_a", name: "f", arguments: "" },
      }),
      ...t.push({
        type: "response.function_call_arguments.delta",
        output_index: 1,
        item_id: "x1",
        delta: '{"a"',
      }),
      ...t.push({
        type: "response.function_call_arguments.delta",
        output_index: 1,
        item_id: "x2",
        delta: ":1}",
      }),
      ...t.push({ type: "response.completed", response: { id: "r1", status: "completed" } }),
    ];
    const acc = new ChatAccumulator();
    for (const c of out) acc.push(c);
    expect(acc.result().choices[0]).toEqual({
      index: 0,
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_a", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
      },
    });
  });

  it("throws UpstreamStreamError on response.failed", () => {
    const t = createResponsesToChatStream("m");
    expect(() =>
      t.push({ type: "response.failed", response: { error: { code: "server_error", message: "broke" } } }),
    ).toThrow(UpstreamStreamError);
  });
});
