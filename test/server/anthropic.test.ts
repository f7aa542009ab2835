import Anthropic from "@anthropic-ai/sdk";
import { countTokens as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sseEvents } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway, waitFor } from "./harness.js";

const fake = new FakeUpstream();
let gw: Harness;
let client: Anthropic;

beforeAll(async () => {
  await fake.start();
  gw = await startGateway(fake, { modelMap: { "my-fast-model": "gpt-4.1" } });
  client = new Anthropic({ baseURL: gw.url, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await gw.close();
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  gw.logLines.length = 0;
});

type ChatBody = { model: string; messages: Record<string, unknown>[]; tools?: unknown[]; stream?: boolean };

function lastChatRequest() {
  const seen = fake.requestsTo("/chat/completions").at(-1);
  if (!seen) throw new Error("no /chat/completions request reached the fake");
  return { body: seen.body as ChatBody, headers: seen.headers };
}

function lastMessagesRequest() {
  const seen = fake.requestsTo("/v1/messages").at(-1);
  if (!seen) throw new Error("no /v1/messages request reached the fake");
  return { body: seen.body as Record<string, unknown>, headers: seen.headers };
}

const weatherTool: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather for a city",
  input_schema: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
};

describe("native path: Claude models that list /v1/messages", () => {
  it("non-streamed: the request goes to Copilot's /v1/messages with the Anthropic headers, the answer comes back", async () => {
    const message = await client.messages.create(
      { model: "claude-sonnet-4.5", max_tokens: 256, messages: [{ role: "user", content: "hello" }] },
      { headers: { "anthropic-beta": "interleaved-thinking-2025-05-14", "anthropic-version": "2023-06-01" } },
    );
    expect(message).toMatchObject({
      id: "msg_bdrk_fake",
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "echo: hello" }],
      stop_reason: "end_turn",
    });
    const { body, headers } = lastMessagesRequest();
    expect(body.model).toBe("claude-sonnet-4.5");
    expect(body.max_tokens).toBe(256);
    expect(headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14");
    expect(headers["anthropic-version"]).toBe("2023-06-01");
    expect(headers["x-initiator"]).toBe("user");
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("streamed: Copilot's event stream is relayed byte for byte", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-sonnet-4.5",
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const expected = sseEvents("messages-stream.sse")
      .map(({ event, data }) => `event: ${event}\ndata: ${data}\n\n`)
      .join("");
    expect(await res.text()).toBe(expected);
  });

  it("streamed through the SDK: the final message assembles from the relayed events", async () => {
    const stream = client.messages.stream({
      model: "claude-sonnet-4.5",
      max_tokens: 64,
      messages: [{ role: "user", content: "hi" }],
    });
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: "text", text: "placeholder".repeat(27) }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({
      input_tokens: 94,
      output_tokens: 97,
      cache_read_input_tokens: 621048,
    });
  });

  it("a connection lost mid-stream ends the relayed stream with an Anthropic error event", async () => {
    fake.state.copilot.midStreamDisconnectAfter = 4;
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-sonnet-4.5",
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const blocks = (await res.text()).trim().split("\n\n");
    expect(blocks.slice(0, 4).map((b) => b.split("\n")[0])).toEqual([
      "event: message_start",
      "event: content_block_start",
      "event: content_block_delta",
      "event: content_block_delta",
    ]);
    expect(blocks.slice(4)).toHaveLength(1);
    const [eventLine, dataLine] = blocks[4]?.split("\n") ?? [];
    expect(eventLine).toBe("event: error");
    expect(JSON.parse(dataLine?.slice(6) ?? "")).toMatchObject({
      type: "error",
      error: { type: "api_error" },
    });
  });

  it("forwards the client's bytes untouched when the model id needs no change", async () => {
    const raw =
      '{ "max_tokens": 8,  "model": "claude-sonnet-4.5", "messages": [{"role": "user", "content": "as is"}] }';
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(fake.requestsTo("/v1/messages").at(-1)?.rawBody).toBe(raw);
  });

  it("Claude Code's ?beta=true requests are served the same way", async () => {
    const res = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 16,
        messages: [{ role: "user", content: "beta" }],
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: unknown }).content).toEqual([
      { type: "text", text: "echo: beta" },
    ]);
    const count = await fetch(`${gw.url}/v1/messages/count_tokens?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "beta" }] }),
    });
    expect(await count.json()).toEqual({ input_tokens: 6 + o200k("beta") });
  });

  it("a dated Anthropic id resolves against the live catalogue", async () => {
    const message = await client.messages.create({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 32,
      messages: [{ role: "user", content: "dated" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "echo: dated" }]);
    expect(lastMessagesRequest().body.model).toBe("claude-sonnet-4.5");
  });

  it("an image sets the vision header on the native path too", async () => {
    await client.messages.create({
      model: "claude-sonnet-4.5",
      max_tokens: 32,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "text", text: "what is it" },
          ],
        },
      ],
    });
    expect(lastMessagesRequest().headers["copilot-vision-request"]).toBe("true");
  });
});

describe("translated path: other chat models", () => {
  it("non-streamed: GPT answers as an Anthropic message, system and params carried over", async () => {
    const message = await client.messages.create({
      model: "gpt-4.1",
      max_tokens: 20_000,
      system: [{ type: "text", text: "Be terse." }],
      temperature: 0.2,
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
      messages: [{ role: "user", content: "translate me" }],
      // temperature is no longer in this SDK's types, but clients still send it.
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "gpt-4.1",
      content: [{ type: "text", text: "echo: translate me" }],
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_chatcmpl-fake/);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const { body, headers } = lastChatRequest();
    expect(body).toMatchObject({
      model: "gpt-4.1",
      max_tokens: 16384, // clamped to gpt-4.1's output limit
      temperature: 0.2,
      stop: ["END"],
      user: "u-1",
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "translate me" },
      ],
    });
    expect(headers["x-initiator"]).toBe("user");
    expect(gw.logLines.some((l) => l.includes("exceeds gpt-4.1's output limit"))).toBe(true);
  });

  it("streamed: the SDK sees the Anthropic event sequence and assembles the text", async () => {
    const stream = client.messages.stream({
      model: "gpt-4.1",
      max_tokens: 200,
      messages: [{ role: "user", content: "stream this" }],
    });
    const types: string[] = [];
    stream.on("streamEvent", (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: "text", text: "echo: stream this" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(types[0]).toBe("message_start");
    expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(types.filter((t) => t === "content_block_start")).toHaveLength(1);
    expect(lastChatRequest().body.stream).toBe(true);
  });

  it("the raw translated stream carries event: lines, a ping, and indexes", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4.1",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    });
    const text = await res.text();
    const events = text
      .trim()
      .split("\n\n")
      .map((block) => {
        const [eventLine, dataLine] = block.split("\n");
        const data = JSON.parse(dataLine?.slice(6) ?? "{}") as { type: string; index?: number };
        expect(eventLine).toBe(`event: ${data.type}`);
        return data.index === undefined ? data.type : `${data.type}:${data.index}`;
      });
    expect(events.slice(0, 3)).toEqual(["message_start", "ping", "content_block_start:0"]);
    expect(events.slice(-3)).toEqual(["content_block_stop:0", "message_delta", "message_stop"]);
  });

  it("a model map alias reaches the mapped model", async () => {
    await client.messages.create({
      model: "my-fast-model",
      max_tokens: 10,
      messages: [{ role: "user", content: "m" }],
    });
    expect(lastChatRequest().body.model).toBe("gpt-4.1");
  });

  it("a Responses-only model goes through the client's routing to /responses", async () => {
    const message = await client.messages.create({
      model: "gpt-5.1-codex",
      max_tokens: 10,
      messages: [{ role: "user", content: "codex" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "echo: codex" }]);
    expect(fake.requestsTo("/responses").at(-1)?.body).toMatchObject({ model: "gpt-5.1-codex" });
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("a Responses-only model streams through the same Anthropic events", async () => {
    const stream = client.messages.stream({
      model: "gpt-5.1-codex",
      max_tokens: 50,
      messages: [{ role: "user", content: "codex stream" }],
    });
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: "text", text: "echo: codex stream" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(fake.requestsTo("/responses").at(-1)?.body).toMatchObject({
      model: "gpt-5.1-codex",
      stream: true,
    });
  });

  it("an image becomes an image_url part and sets the vision header", async () => {
    await client.messages.create({
      model: "gpt-4.1",
      max_tokens: 10,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "describe" },
            { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          ],
        },
      ],
    });
    const { body, headers } = lastChatRequest();
    expect(headers["copilot-vision-request"]).toBe("true");
    expect(body.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "describe" },
        { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
      ],
    });
  });

  it("thinking on a model without effort levels is dropped with a log line", async () => {
    await client.messages.create({
      model: "gpt-4.1",
      max_tokens: 4000,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "think" }],
    });
    expect(lastChatRequest().body).not.toHaveProperty("reasoning_effort");
    expect(gw.logLines.some((l) => l.includes("thinking setting was dropped"))).toBe(true);
  });
});

describe("tool use on the translated path", () => {
  beforeEach(() => {
    fake.state.copilot.toolCalls = true;
  });

  it("non-streamed: a tool call becomes a tool_use block, its result a tool message (X-Initiator agent)", async () => {
    const first = await client.messages.create({
      model: "gpt-4.1",
      max_tokens: 100,
      tools: [weatherTool],
      tool_choice: { type: "auto" },
      messages: [{ role: "user", content: "Oslo" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([
      {
        type: "tool_use",
        id: expect.stringMatching(/^call_fake/),
        name: "get_weather",
        input: { query: "Oslo" },
      },
    ]);
    expect(lastChatRequest().body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "get_weather",
          description: weatherTool.description,
          parameters: weatherTool.input_schema,
        },
      },
    ]);
    const call = first.content[0] as Anthropic.ToolUseBlock;

    const second = await client.messages.create({
      model: "gpt-4.1",
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Oslo" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "-3°C, snow" }] },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    const { body, headers } = lastChatRequest();
    expect(body.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: call.id, type: "function", function: { name: "get_weather", arguments: '{"query":"Oslo"}' } },
        ],
      },
      { role: "tool", tool_call_id: call.id, content: "-3°C, snow" },
    ]);
    expect(headers["x-initiator"]).toBe("agent");
  });

  it("streamed: the call arrives as tool_use with input_json_delta, and the SDK parses its input", async () => {
    const stream = client.messages.stream({
      model: "gpt-4.1",
      max_tokens: 100,
      tools: [weatherTool],
      messages: [{ role: "user", content: "Rome" }],
    });
    const jsonDeltas: string[] = [];
    stream.on("inputJson", (partial) => jsonDeltas.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toEqual([
      {
        type: "tool_use",
        id: expect.stringMatching(/^call_fake/),
        name: "get_weather",
        input: { query: "Rome" },
      },
    ]);
    expect(jsonDeltas.join("")).toBe('{"query":"Rome"}');
  });

  it("streamed round trip: a tool_result turn is streamed back as text", async () => {
    const stream = client.messages.stream({
      model: "gpt-4.1",
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Rome" },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { query: "Rome" } }],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: [{ type: "text", text: "21°C" }] },
          ],
        },
      ],
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe("end_turn");
    expect(message.content[0]?.type).toBe("text");
    const { body, headers } = lastChatRequest();
    expect(body.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "call_1", content: "21°C" });
    expect(headers["x-initiator"]).toBe("agent");
  });
});

describe("X-Initiator for Claude Code", () => {
  it("a tool-less background call from Claude Code is billed as agent", async () => {
    await client.messages.create(
      { model: "gpt-4.1", max_tokens: 10, messages: [{ role: "user", content: "Write a 5-word title" }] },
      { headers: { "user-agent": "claude-cli/2.0.14 (external, cli)" } },
    );
    expect(lastChatRequest().headers["x-initiator"]).toBe("agent");
  });
});

describe("GET /v1/models for Anthropic clients", () => {
  it("answers in Anthropic's list shape when the client sends anthropic-version (Claude Code's discovery)", async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain("claude-sonnet-4.5");
    expect(ids).not.toContain("text-embedding-3-small");
    expect(page.data.find((m) => m.id === "claude-sonnet-4.5")).toMatchObject({
      type: "model",
      display_name: "Claude Sonnet 4.5",
      max_input_tokens: 168000,
      max_tokens: 32000,
    });
    expect((await client.models.retrieve("gpt-4.1")).type).toBe("model");
  });

  it("still answers OpenAI's shape to everyone else", async () => {
    const res = await fetch(`${gw.url}/v1/models`);
    expect(((await res.json()) as { object: string }).object).toBe("list");
  });
});

describe("count_tokens", () => {
  it("counts with the model's tokenizer", async () => {
    const result = await client.messages.countTokens({
      model: "claude-sonnet-4-5",
      system: "Be brief.",
      messages: [{ role: "user", content: "How long is this?" }],
    });
    expect(result).toEqual({ input_tokens: 3 + 3 + o200k("Be brief.") + 3 + o200k("How long is this?") });
  });

  it("a malformed request is a 400 invalid_request_error, never a made-up count", async () => {
    const error = await client.messages
      .countTokens({ model: "gpt-4.1", messages: [{ role: "robot", content: "x" }] } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("messages.0.role") },
    });
  });
});

describe("errors in Anthropic's shape", () => {
  it("an unknown model is a not_found_error naming it and listing the Claude models", async () => {
    const error = await client.messages
      .create({
        model: "claude-haiku-4-5-20251001",
        max_tokens: 10,
        messages: [{ role: "user", content: "x" }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toEqual({
      type: "error",
      error: {
        type: "not_found_error",
        message: expect.stringContaining('Model "claude-haiku-4-5-20251001" is not available'),
      },
    });
    expect((error as Error).message).toContain("claude-opus-4.6, claude-sonnet-4.5");
  });

  it("an upstream 429 is a rate_limit_error with Retry-After relayed", async () => {
    fake.state.copilot.failures.push({
      status: 429,
      body: { error: { message: "Rate limit exceeded", code: "user_model_rate_limited" } },
      headers: { "retry-after": "120" },
      path: "/chat/completions",
    });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4.1", max_tokens: 10, messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("120");
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: expect.stringContaining("Rate limit exceeded") },
    });
  });

  it("a malformed body (no max_tokens) is an invalid_request_error naming the field", async () => {
    const error = await client.messages
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain("max_tokens");
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("invalid JSON is answered in Anthropic's shape too", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("a model disabled by policy is a permission_error", async () => {
    const error = await client.messages
      .create({ model: "fake-disabled-model", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((error as InstanceType<typeof Anthropic.PermissionDeniedError>).error).toMatchObject({
      type: "error",
      error: { type: "permission_error" },
    });
  });

  it("an upstream failure mid-stream becomes an Anthropic error event the SDK raises", async () => {
    fake.state.copilot.midStreamErrorAfter = 2;
    const stream = client.messages.stream({
      model: "gpt-4.1",
      max_tokens: 10,
      messages: [{ role: "user", content: "x" }],
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as Error).message).toContain("Upstream model failed mid-stream");
  });

  it("answers on /messages without the /v1 prefix", async () => {
    const res = await fetch(`${gw.url}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4.1",
        max_tokens: 10,
        messages: [{ role: "user", content: "bare" }],
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: unknown }).content).toEqual([
      { type: "text", text: "echo: bare" },
    ]);
  });
});

describe("client disconnect", () => {
  it("a client leaving a translated stream aborts the upstream request", async () => {
    // Upstream goes silent after three chunks: only an abort on the client's departure can end its request.
    fake.state.copilot.streamChunks = 200;
    fake.state.copilot.stallAfterChunks = 3;
    const controller = new AbortController();
    const stream = await client.messages.create(
      {
        model: "gpt-4.1",
        max_tokens: 100,
        stream: true,
        messages: [{ role: "user", content: "long answer" }],
      },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const _ of stream) if (++received === 1) controller.abort();
    } catch {
      // The SDK may end the iteration with an abort error.
    }
    await waitFor(() => fake.abortedRequests.length === 1, "the fake to see the upstream request aborted");
    expect(fake.abortedRequests[0]?.path).toBe("/chat/completions");
  });

  it("a client leaving a native stream aborts the upstream request", async () => {
    // Upstream goes silent after three events: only an abort on the client's departure can end its request.
    fake.state.copilot.stallAfterChunks = 3;
    const controller = new AbortController();
    const stream = await client.messages.create(
      {
        model: "claude-sonnet-4.5",
        max_tokens: 100,
        stream: true,
        messages: [{ role: "user", content: "long answer" }],
      },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      // message_start, content_block_start and one delta, then silence.
      for await (const _ of stream) if (++received === 3) controller.abort();
    } catch {
      // The SDK may end the iteration with an abort error.
    }
    expect(received).toBe(3);
    await waitFor(() => fake.abortedRequests.length === 1, "the fake to see the upstream request aborted");
    expect(fake.abortedRequests[0]?.path).toBe("/v1/messages");
  });
});

describe("signed out", () => {
  it("answers authentication_error in Anthropic's shape", async () => {
    const signedOut = await startGateway(fake, { signedIn: false });
    try {
      const anthropic = new Anthropic({ baseURL: signedOut.url, apiKey: "unused", maxRetries: 0 });
      const error = await anthropic.messages
        .create({ model: "gpt-4.1", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
        type: "error",
        error: { type: "authentication_error", message: expect.stringContaining("copilot-gateway login") },
      });
    } finally {
      await signedOut.close();
    }
  });
});
