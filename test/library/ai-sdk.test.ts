import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embedMany, generateText, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type CopilotProvider, createCopilotProvider } from "../../src/ai-sdk/index.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
let copilot: CopilotProvider;

beforeAll(async () => {
  await fake.start();
  copilot = createCopilotProvider({
    homeDir: mkdtempSync(join(tmpdir(), "cg-aisdk-")),
    env: { ...fake.env(), COPILOT_GITHUB_TOKEN: "gho_aisdk000000000000000000000000000000000" },
  });
});
afterAll(async () => {
  await copilot.close();
  await fake.stop();
});
beforeEach(async () => {
  fake.reset();
  // The reset forgot the Copilot tokens the fake issued: heal the instance's token now (one 401, one exchange), so
  // each test counts only its own requests.
  await copilot.copilot.models.list({ refresh: true });
  fake.requests = [];
});

/** The tool of the tool rounds: it records what the model asked for. */
function weatherTool(calls: unknown[]) {
  return tool({
    description: "Current weather for a city",
    inputSchema: z.object({ query: z.string() }),
    execute: async (input) => {
      calls.push(input);
      return { forecast: "sunny" };
    },
  });
}

describe("GPT models: OpenAI chat through copilot.fetch", () => {
  it("generateText", async () => {
    const { text, usage, finishReason } = await generateText({ model: copilot("gpt-4.1"), prompt: "hello" });
    expect(text).toBe("echo: hello");
    expect(finishReason).toBe("stop");
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });

  it("streamText: the text arrives in deltas", async () => {
    const result = streamText({ model: copilot("gpt-4.1"), prompt: "one two three" });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join("")).toBe("echo: one two three");
    expect(deltas.length).toBeGreaterThan(1);
  });

  it("streamText with tools: a tool round (call, execute, answer)", async () => {
    fake.state.copilot.toolCalls = true;
    const calls: unknown[] = [];
    const result = streamText({
      model: copilot("gpt-4.1"),
      prompt: "Oslo",
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    const text = await result.text;
    expect(calls).toEqual([{ query: "Oslo" }]);
    expect(text).toBe("echo: Oslo");
    const steps = await result.steps;
    expect(steps.map((s) => s.finishReason)).toEqual(["tool-calls", "stop"]);
    // The second request carried the tool's result back as a tool turn.
    const second = fake.requestsTo("/chat/completions").at(-1)?.body as { messages: { role: string }[] };
    expect(second.messages.some((m) => m.role === "tool")).toBe(true);
  });

  it("generateText on a Responses-only model (translated by the gateway)", async () => {
    const { text } = await generateText({ model: copilot("gpt-5.1-codex"), prompt: "hello codex" });
    expect(text).toBe("echo: hello codex");
    expect(fake.requestsTo("/responses")).toHaveLength(1);
  });

  it("embedMany", async () => {
    const { embeddings } = await embedMany({
      model: copilot.embeddingModel("text-embedding-3-small"),
      values: ["a", "b"],
    });
    expect(embeddings).toHaveLength(2);
  });
});

describe("Claude models: the native Messages path", () => {
  it("generateText goes to Copilot's /v1/messages", async () => {
    const { text } = await generateText({ model: copilot("claude-sonnet-4.5"), prompt: "hello claude" });
    expect(text).toBe("echo: hello claude");
    expect(fake.requestsTo("/v1/messages")).toHaveLength(1);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("max_tokens defaults to, and is capped at, the model's output limit from the catalogue", async () => {
    const models = await copilot.copilot.models.list();
    const limit = models.find((m) => m.id === "claude-sonnet-4.5")?.capabilities.limits?.max_output_tokens;
    expect(limit).toBeGreaterThan(0);
    await generateText({ model: copilot("claude-sonnet-4.5"), prompt: "x" });
    expect(fake.requestsTo("/v1/messages").at(-1)?.body).toMatchObject({ max_tokens: limit });
    await generateText({ model: copilot("claude-sonnet-4.5"), prompt: "x", maxOutputTokens: 100 });
    expect(fake.requestsTo("/v1/messages").at(-1)?.body).toMatchObject({ max_tokens: 100 });
    await generateText({ model: copilot("claude-sonnet-4.5"), prompt: "x", maxOutputTokens: 10_000_000 });
    expect(fake.requestsTo("/v1/messages").at(-1)?.body).toMatchObject({ max_tokens: limit });
  });

  it("streamText relays Claude's event stream", async () => {
    const result = streamText({ model: copilot("claude-sonnet-4.5"), prompt: "stream please" });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect(await result.finishReason).toBe("stop");
    expect(fake.requestsTo("/v1/messages").at(-1)?.body).toMatchObject({ stream: true });
  });

  it("streamText with tools: a tool round on the native path", async () => {
    fake.state.copilot.toolCalls = true;
    const calls: unknown[] = [];
    const result = streamText({
      model: copilot("claude-sonnet-4.5"),
      prompt: "Bergen",
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    await result.consumeStream();
    expect(calls).toEqual([{ query: "Bergen" }]);
    const steps = await result.steps;
    expect(steps.map((s) => s.finishReason)).toEqual(["tool-calls", "stop"]);
    const requests = fake.requestsTo("/v1/messages");
    expect(requests).toHaveLength(2);
    const last = requests.at(-1)?.body as { messages: { role: string; content: { type: string }[] }[] };
    expect(last.messages.at(-1)?.content.some((b) => b.type === "tool_result")).toBe(true);
  });
});

describe("the provider", () => {
  it("routes by id: Claude to Messages, the rest to chat; either path can be forced", async () => {
    await generateText({ model: copilot.chatModel("claude-sonnet-4.5"), prompt: "via chat" });
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
    await generateText({ model: copilot.messagesModel("gpt-4.1"), prompt: "via messages" });
    // A GPT model on the Messages API is translated to chat by the gateway.
    expect(fake.requestsTo("/chat/completions")).toHaveLength(2);
    expect(fake.requestsTo("/v1/messages")).toHaveLength(0);
  });

  it("exposes the Copilot instance (usage, limits, models)", async () => {
    const models = await copilot.copilot.models.list();
    expect(models.some((m) => m.id === "gpt-4.1")).toBe(true);
  });

  it("Copilot's errors reach the AI SDK as API call errors with the status", async () => {
    const error = await generateText({ model: copilot("gpt-4-1-typo"), prompt: "x", maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ statusCode: 404 });
    expect(String((error as Error).message)).toMatch(/gpt-4-1-typo/);
  });
});
