import { describe, expect, it } from "vitest";
import type { MessageStreamEvent } from "../../../src/translate/anthropic/message-types.js";
import {
  chatChunksToMessageEvents,
  createMessagesStreamTranslator,
  encodeMessageEvent,
} from "../../../src/translate/anthropic/stream-transform.js";
import { sseDataLines } from "../../fake-upstream/fixtures.js";

/** Replay a recorded chat stream the way the server does: parse each data line, stop at [DONE], then finish. */
function replay(name: string, model = "requested-model"): MessageStreamEvent[] {
  const translator = createMessagesStreamTranslator({ requestedModel: model });
  const events: MessageStreamEvent[] = [];
  for (const data of sseDataLines(name)) {
    if (data === "[DONE]") break;
    events.push(...translator.push(JSON.parse(data)));
  }
  events.push(...translator.finish());
  return events;
}

/** `type` or `type:index` per event: the shape clients depend on. */
function shape(events: MessageStreamEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const label = "index" in e ? `${e.type}:${e.index}` : e.type;
    // Runs of deltas to the same block collapse to one entry with a count.
    const last = out.at(-1);
    if (e.type === "content_block_delta" && last?.startsWith(`${label} x`)) {
      out[out.length - 1] = `${label} x${Number(last.split(" x")[1]) + 1}`;
    } else out.push(e.type === "content_block_delta" ? `${label} x1` : label);
  }
  return out;
}

function deltasOf(events: MessageStreamEvent[], index: number): string {
  return events
    .filter((e) => e.type === "content_block_delta" && e.index === index)
    .map((e) => {
      if (e.type !== "content_block_delta") return "";
      const d = e.delta;
      return d.type === "text_delta"
        ? d.text
        : d.type === "input_json_delta"
          ? d.partial_json
          : d.type === "thinking_delta"
            ? d.thinking
            : d.signature;
    })
    .join("");
}

function toolArgumentsInFixture(name: string): string[] {
  const calls: string[] = [];
  for (const data of sseDataLines(name)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data) as {
      choices: { delta?: { tool_calls?: { id?: string; function?: { arguments?: string } }[] } }[];
    };
    for (const call of chunk.choices[0]?.delta?.tool_calls ?? []) {
      if (call.id) calls.push("");
      calls[calls.length - 1] += call.function?.arguments ?? "";
    }
  }
  return calls;
}

describe("chat stream → Anthropic events, on recorded fixtures", () => {
  it("Claude with two tool calls sharing index 0: text block, then one tool_use block per id", () => {
    const events = replay("chat-stream-claude-tools.sse");
    expect(shape(events)).toEqual([
      "message_start",
      "ping",
      "content_block_start:0",
      "content_block_delta:0 x9",
      "content_block_stop:0",
      "content_block_start:1",
      // One input_json_delta per non-empty `arguments` fragment (the empty first fragments send nothing).
      "content_block_delta:1 x24",
      "content_block_stop:1",
      "content_block_start:2",
      "content_block_delta:2 x104",
      "content_block_stop:2",
      "message_delta",
      "message_stop",
    ]);
    const start = events[0];
    expect(start).toMatchObject({
      type: "message_start",
      message: {
        id: "msg_ba49856c-7de2-485b-87cd-6ff61c58407e",
        model: "claude-3.5-sonnet",
        role: "assistant",
        content: [],
        stop_reason: null,
      },
    });
    expect(deltasOf(events, 0)).toBe(
      "I'll make two changes:\n1. Add a multiply function to test.js\n2. Modify server.js to return a random dad joke from a small collection",
    );
    expect(events[2]).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    expect(events.filter((e) => e.type === "content_block_start").slice(1)).toEqual([
      {
        type: "content_block_start",
        index: 1,
        content_block: {
          type: "tool_use",
          id: "tooluse_448k6WHnTpS28K0Bd1bhgA",
          name: "edit_file",
          input: {},
        },
      },
      {
        type: "content_block_start",
        index: 2,
        content_block: {
          type: "tool_use",
          id: "tooluse_2SRF2HShTXOoLdGrjWuGiw",
          name: "edit_file",
          input: {},
        },
      },
    ]);
    const [first, second] = toolArgumentsInFixture("chat-stream-claude-tools.sse");
    expect(deltasOf(events, 1)).toBe(first);
    expect(deltasOf(events, 2)).toBe(second);
    expect(deltasOf(events, 1).startsWith('{"filePath":"/Users/roblou/code/debugtest/test.js",')).toBe(true);
    // finish_reason tool_calls arrives with usage in the last chunk.
    expect(events.at(-2)).toEqual({
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: {
        input_tokens: 2128,
        output_tokens: 170,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(events.at(-1)).toEqual({ type: "message_stop" });
  });

  it("GPT: skips the prompt-filter chunk and the empty first delta, takes usage from the usage-only chunk", () => {
    const events = replay("chat-stream-gpt.sse");
    expect(shape(events)).toEqual([
      "message_start",
      "ping",
      "content_block_start:0",
      "content_block_delta:0 x39",
      "content_block_stop:0",
      "message_delta",
      "message_stop",
    ]);
    expect(events[0]).toMatchObject({
      message: { id: "msg_chatcmpl-C8ojeJT8SVXTy5qp7xog2lFodnxFA", model: "gpt-4o-mini-2024-07-18" },
    });
    expect(deltasOf(events, 0).startsWith("```\nclass Point3")).toBe(true);
    expect(events.at(-2)).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: {
        input_tokens: 1193,
        output_tokens: 47,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });
});

describe("chat stream → Anthropic events, edge cases", () => {
  const chunk = (delta: unknown, extra: Record<string, unknown> = {}, index = 0) => ({
    id: "c1",
    model: "gpt-4.1",
    choices: [{ index, delta, finish_reason: null, ...extra }],
  });

  it("splits tool calls on a new id and keeps parallel calls at different indexes apart", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m" });
    const events = [
      ...t.push(chunk({ tool_calls: [{ index: 0, id: "call_a", function: { name: "a", arguments: "" } }] })),
      ...t.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] })),
      ...t.push(chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] })),
      ...t.push(
        chunk({ tool_calls: [{ index: 1, id: "call_b", function: { name: "b", arguments: "{}" } }] }),
      ),
      ...t.push(chunk({}, { finish_reason: "tool_calls" })),
      ...t.finish(),
    ];
    expect(shape(events)).toEqual([
      "message_start",
      "ping",
      "content_block_start:0",
      "content_block_delta:0 x2",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1 x1",
      "content_block_stop:1",
      "message_delta",
      "message_stop",
    ]);
    expect(deltasOf(events, 0)).toBe('{"x":1}');
    expect(events.find((e) => e.type === "message_delta")).toMatchObject({
      delta: { stop_reason: "tool_use" },
    });
  });

  it("merges text and tool calls that arrive in separate choices (Claude's split choices)", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m" });
    const events = [
      ...t.push(chunk({ content: "Let me look." }, {}, 0)),
      ...t.push(
        chunk(
          { tool_calls: [{ index: 0, id: "toolu_1", function: { name: "read", arguments: "{}" } }] },
          {},
          1,
        ),
      ),
      ...t.push({ id: "c1", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
      ...t.push({ id: "c1", choices: [{ index: 1, delta: {}, finish_reason: "tool_calls" }] }),
      ...t.finish(),
    ];
    expect(shape(events)).toEqual([
      "message_start",
      "ping",
      "content_block_start:0",
      "content_block_delta:0 x1",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1 x1",
      "content_block_stop:1",
      "message_delta",
      "message_stop",
    ]);
    expect(events.find((e) => e.type === "message_delta")).toMatchObject({
      delta: { stop_reason: "tool_use" },
    });
  });

  it("reports cached input tokens apart and maps length to max_tokens", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m" });
    const events = [
      ...t.push(chunk({ content: "cut" })),
      ...t.push(chunk({}, { finish_reason: "length" })),
      ...t.push({
        id: "c1",
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 60 } },
      }),
      ...t.finish(),
    ];
    expect(events.find((e) => e.type === "message_delta")).toEqual({
      type: "message_delta",
      delta: { stop_reason: "max_tokens", stop_sequence: null },
      usage: {
        input_tokens: 40,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 60,
      },
    });
  });

  it("names the stop sequence when the upstream reports which one matched", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m", stopSequences: ["END"] });
    const events = [
      ...t.push(chunk({ content: "a" }, { finish_reason: "stop", stop_sequence: "END" })),
      ...t.finish(),
    ];
    expect(events.find((e) => e.type === "message_delta")).toMatchObject({
      delta: { stop_reason: "stop_sequence", stop_sequence: "END" },
    });
  });

  it("an upstream error object mid-stream becomes an Anthropic error event and ends the stream", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m" });
    const events = [
      ...t.push(chunk({ content: "partial" })),
      ...t.push({ error: { message: "Upstream model failed mid-stream", code: "server_error" } }),
      ...t.push(chunk({ content: "ignored" })),
      ...t.finish(),
    ];
    expect(shape(events)).toEqual([
      "message_start",
      "ping",
      "content_block_start:0",
      "content_block_delta:0 x1",
      "error",
    ]);
    expect(events.at(-1)).toEqual({
      type: "error",
      error: { type: "api_error", message: "Upstream model failed mid-stream" },
    });
  });

  it("fail() gives one error event with the chosen type; nothing follows it", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m" });
    t.push(chunk({ content: "x" }));
    expect(t.fail("connection reset", "overloaded_error")).toEqual([
      { type: "error", error: { type: "overloaded_error", message: "connection reset" } },
    ]);
    expect(t.finish()).toEqual([]);
  });

  it("an empty upstream still yields a complete, well-formed message", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "asked", inputTokensEstimate: 12 });
    const events = t.finish();
    expect(shape(events)).toEqual(["message_start", "ping", "message_delta", "message_stop"]);
    expect(events[0]).toMatchObject({ message: { model: "asked", usage: { input_tokens: 12 } } });
    expect(events[2]).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { input_tokens: 12 } });
  });

  it("reasoning text becomes a thinking block before the answer text", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m" });
    const events = [
      ...t.push(chunk({ reasoning_text: "hmm" })),
      ...t.push(chunk({ reasoning_opaque: "sig" })),
      ...t.push(chunk({ content: "answer" })),
      ...t.finish(),
    ];
    expect(events[2]).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "thinking", thinking: "", signature: "" },
    });
    expect(events.slice(3, 5).map((e) => (e.type === "content_block_delta" ? e.delta : undefined))).toEqual([
      { type: "thinking_delta", thinking: "hmm" },
      { type: "signature_delta", signature: "sig" },
    ]);
    expect(deltasOf(events, 1)).toBe("answer");
  });

  it("skips a chunk of the wrong shape with a warning instead of failing the stream", () => {
    const t = createMessagesStreamTranslator({ requestedModel: "m" });
    expect(t.push({ choices: "nope" })).toEqual([]);
    expect(t.warnings.map((w) => w.code)).toEqual(["invalid_chunk"]);
  });

  it("works as a TransformStream and encodes events as event:/data: frames", async () => {
    const source = new ReadableStream<unknown>({
      start(controller) {
        controller.enqueue(chunk({ content: "hi" }));
        controller.enqueue(chunk({}, { finish_reason: "stop" }));
        controller.close();
      },
    });
    const out: MessageStreamEvent[] = [];
    const reader = source.pipeThrough(chatChunksToMessageEvents({ requestedModel: "m" })).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
    expect(shape(out)).toEqual([
      "message_start",
      "ping",
      "content_block_start:0",
      "content_block_delta:0 x1",
      "content_block_stop:0",
      "message_delta",
      "message_stop",
    ]);
    expect(encodeMessageEvent({ type: "message_stop" })).toBe(
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });
});
