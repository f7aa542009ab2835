import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Copilot, createCopilot } from "../../src/index.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
let copilot: Copilot;
let openai: OpenAI;
let anthropic: Anthropic;
const logLines: string[] = [];

beforeAll(async () => {
  await fake.start();
  copilot = createCopilot({
    homeDir: mkdtempSync(join(tmpdir(), "cg-fetch-")),
    env: { ...fake.env(), COPILOT_GITHUB_TOKEN: "gho_inprocess0000000000000000000000000000" },
    onLog: (line) => logLines.push(line),
  });
  openai = new OpenAI({
    baseURL: "http://copilot.local/v1",
    apiKey: "unused",
    fetch: copilot.fetch,
    maxRetries: 0,
  });
  anthropic = new Anthropic({
    baseURL: "http://copilot.local",
    apiKey: "unused",
    fetch: copilot.fetch,
    maxRetries: 0,
  });
});
afterAll(async () => {
  await copilot.close();
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  logLines.length = 0;
});

const weather: OpenAI.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
  },
};

describe("copilot.fetch with the openai SDK", () => {
  it("models.list: the gateway's OpenAI list shape", async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-4.1", "claude-sonnet-4.5", "text-embedding-3-small"]));
  });

  it("chat, not streamed: the answer normalised as by the gateway (Claude's split choices folded into one)", async () => {
    const completion = await openai.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message.content).toBe("echo: hello");

    fake.state.copilot.toolCalls = true;
    const claude = await openai.chat.completions.create({
      model: "claude-sonnet-4.5",
      messages: [{ role: "user", content: "weather in Oslo" }],
      tools: [weather],
    });
    expect(claude.choices).toHaveLength(1);
    expect(claude.choices[0]?.message.content).toBe("Let me look that up.");
    expect(claude.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: "get_weather" } });
  });

  it("chat, streamed: chunk by chunk, the prompt-filter chunk dropped, usage only when asked", async () => {
    const stream = await openai.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "one two three four" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: one two three four");
    expect(chunks.every((c) => c.id !== "")).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("streams truly stream: the first chunk arrives while the upstream is still holding the rest back", async () => {
    fake.state.copilot.stallAfterChunks = 2;
    const stream = await openai.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "a b c d e" }],
      stream: true,
    });
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? "");
      // Two content chunks are all the fake has sent; reading them proves nothing was buffered to the end.
      if (seen.filter(Boolean).length === 2) {
        fake.releaseStalls();
      }
    }
    expect(seen.join("")).toBe("echo: a b c d e");
  });

  it("a tool round, streamed: the call's arguments assemble, the tool result goes back as a tool turn", async () => {
    fake.state.copilot.toolCalls = true;
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather in Oslo" }];
    const runner = openai.chat.completions.stream({ model: "gpt-4.1", messages, tools: [weather] });
    const first = await runner.finalChatCompletion();
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({
      query: "weather in Oslo",
    });
    messages.push(first.choices[0]?.message as OpenAI.ChatCompletionMessageParam);
    messages.push({ role: "tool", tool_call_id: call?.id ?? "", content: "sunny" });
    const second = await openai.chat.completions.create({ model: "gpt-4.1", messages, tools: [weather] });
    expect(second.choices[0]?.finish_reason).toBe("stop");
    const sent = fake.requestsTo("/chat/completions").at(-1);
    expect(sent?.headers["x-initiator"]).toBe("agent");
  });

  it("embeddings", async () => {
    const result = await openai.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(result.data).toHaveLength(2);
    expect(Array.from(result.data[1]?.embedding ?? []).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
      0.1, -0.2, 0.3, 0.1,
    ]);
  });

  it("responses, streamed and not", async () => {
    const response = await openai.responses.create({ model: "gpt-5-mini", input: "ping" });
    expect(response.output_text).toBe("echo: ping");
    const stream = await openai.responses.create({ model: "gpt-5-mini", input: "ping", stream: true });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    expect(text).toBe("echo: ping");
  });

  it("errors in OpenAI's shape: the SDK raises its own classes, with Copilot's request id", async () => {
    const unknown = await openai.chat.completions
      .create({ model: "gpt-4-1-typo", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ status: 404, code: "model_not_found" });

    fake.state.copilot.failures.push({
      status: 429,
      body: { error: { message: "slow down", code: "user_model_rate_limited" } },
      headers: { "retry-after": "3600", "x-request-id": "req-429-xyz" },
      path: "/chat/completions",
    });
    const limited = await openai.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited).toMatchObject({ status: 429, code: "user_model_rate_limited", requestID: "req-429-xyz" });
  });

  it("an abort from the SDK ends the upstream request", async () => {
    fake.state.copilot.stallAfterChunks = 1;
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: "gpt-4.1", messages: [{ role: "user", content: "a b c d e" }], stream: true },
      { signal: controller.signal },
    );
    // The SDK ends its loop quietly on its own abort.
    for await (const _ of stream) controller.abort();
    const until = Date.now() + 5000;
    while (fake.abortedRequests.length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    expect(fake.abortedRequests.map((r) => r.path)).toEqual(["/chat/completions"]);
  });

  it("one request log line per call goes to onLog", async () => {
    await openai.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] });
    const until = Date.now() + 2000;
    while (logLines.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(logLines.some((l) => l.includes("/v1/chat/completions") && l.includes("gpt-4.1"))).toBe(true);
  });
});

describe("copilot.fetch with the Anthropic SDK", () => {
  it("messages, not streamed: a Claude model on the native path", async () => {
    const message = await anthropic.messages.create({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 64,
      messages: [{ role: "user", content: "hello" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "echo: hello" }]);
    expect(fake.requestsTo("/v1/messages").at(-1)?.body).toMatchObject({ model: "claude-sonnet-4.5" });
  });

  it("messages, streamed: native Claude and a translated GPT model", async () => {
    const native = anthropic.messages.stream({
      model: "claude-sonnet-4.5",
      max_tokens: 64,
      messages: [{ role: "user", content: "hello" }],
    });
    const nativeFinal = await native.finalMessage();
    expect(nativeFinal.stop_reason).toBeDefined();
    expect(nativeFinal.content.length).toBeGreaterThan(0);

    const translated = anthropic.messages.stream({
      model: "gpt-4.1",
      max_tokens: 64,
      messages: [{ role: "user", content: "one two three" }],
    });
    let text = "";
    translated.on("text", (delta) => {
      text += delta;
    });
    const final = await translated.finalMessage();
    expect(text).toBe("echo: one two three");
    expect(final.stop_reason).toBe("end_turn");
  });

  it("a tool round on a translated model: tool_use, then the tool_result", async () => {
    fake.state.copilot.toolCalls = true;
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Current weather",
        input_schema: { type: "object", properties: { query: { type: "string" } } },
      },
    ];
    const first = await anthropic.messages
      .stream({ model: "gpt-4.1", max_tokens: 64, tools, messages: [{ role: "user", content: "Oslo" }] })
      .finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    expect(use).toMatchObject({ name: "get_weather", input: { query: "Oslo" } });
    const second = await anthropic.messages.create({
      model: "gpt-4.1",
      max_tokens: 64,
      tools,
      messages: [
        { role: "user", content: "Oslo" },
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: use?.type === "tool_use" ? use.id : "", content: "sunny" },
          ],
        },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
  });

  it("count_tokens", async () => {
    const counted = await anthropic.messages.countTokens({
      model: "claude-sonnet-4.5",
      messages: [{ role: "user", content: "hello world" }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it("errors in Anthropic's shape", async () => {
    const error = await anthropic.messages
      .create({ model: "claude-nonexistent-9", max_tokens: 8, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
  });
});
