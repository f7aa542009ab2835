import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CopilotApiError } from "../../src/copilot/api-error.js";
import { ChatAccumulator } from "../../src/copilot/chat-accumulator.js";
import type { ChatCompletionChunk } from "../../src/copilot/chat-types.js";
import { UnknownModelError } from "../../src/copilot/model-errors.js";
import { AbortedError, TimeoutError } from "../../src/errors.js";
import { StreamInterruptedError, UpstreamStreamError } from "../../src/sse/stream-errors.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { eventually, fakeClient } from "./helpers.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

const hello = [{ role: "user" as const, content: "hello there" }];

describe("client.chat()", () => {
  it("answers non-streamed with the catalogue's default model and every header of spec §4", async () => {
    const { client } = fakeClient(fake);
    const completion = await client.chat({ messages: hello });
    expect(completion.choices[0]?.message.content).toBe("echo: hello there");
    expect(completion.model).toBe("gpt-4.1");
    const seen = fake.requestsTo("/chat/completions")[0];
    expect(seen?.headers).toMatchObject({
      authorization: expect.stringMatching(/^Bearer tid=fake/),
      "editor-version": "vscode/1.104.3",
      "editor-plugin-version": "copilot-chat/0.26.7",
      "user-agent": "GitHubCopilotChat/0.26.7",
      "copilot-integration-id": "vscode-chat",
      "openai-intent": "conversation-panel",
      "x-github-api-version": "2025-05-01",
      "x-request-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
      "x-initiator": "user",
    });
    expect(seen?.headers["copilot-vision-request"]).toBeUndefined();
  });

  it("takes the version strings and integration id from settings", async () => {
    const { client } = fakeClient(fake, {
      env: { COPILOT_GATEWAY_EDITOR_VERSION: "vscode/9.9.9", COPILOT_GATEWAY_INTEGRATION_ID: "my-int" },
    });
    await client.chat({ model: "gpt-4o", messages: hello });
    const seen = fake.requestsTo("/chat/completions")[0];
    expect(seen?.headers["editor-version"]).toBe("vscode/9.9.9");
    expect(seen?.headers["copilot-integration-id"]).toBe("my-int");
  });

  it("marks tool results and follow-ups as agent, and sends the vision header for images", async () => {
    const { client } = fakeClient(fake);
    await client.chat({
      model: "gpt-4o",
      messages: [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "w", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
    });
    await client.chat({
      model: "gpt-4o",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
      ],
    });
    const [tool, image] = fake.requestsTo("/chat/completions");
    expect(tool?.headers["x-initiator"]).toBe("agent");
    expect(image?.headers["x-initiator"]).toBe("user");
    expect(image?.headers["copilot-vision-request"]).toBe("true");
  });

  it("the fake really rejects an image without the vision header (so the test above can fail)", async () => {
    const { client } = fakeClient(fake);
    const body = JSON.stringify({
      model: "gpt-4o",
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AA" } }] },
      ],
    });
    const error = await client
      .send({ method: "POST", path: "/chat/completions", body })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopilotApiError);
    expect((error as CopilotApiError).upstreamMessage).toBe(
      "missing required Copilot-Vision-Request header for vision requests",
    );
  });

  it("streams parsed chunks past the empty first chunk and the separate usage chunk", async () => {
    const { client } = fakeClient(fake);
    const stream = await client.chat({ model: "gpt-4o", messages: hello, stream: true });
    const chunks = await collect(stream);
    expect(chunks[0]?.choices).toEqual([]);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("echo: hello there");
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("replays Claude's tool-call argument fragments into two separate calls", async () => {
    fake.state.copilot.streamFixture = "chat-stream-claude-tools.sse";
    const { client } = fakeClient(fake);
    const acc = new ChatAccumulator();
    for await (const chunk of await client.chat({
      model: "claude-sonnet-4.5",
      messages: hello,
      stream: true,
    }))
      acc.push(chunk);
    const result = acc.result();
    const calls = result.choices[0]?.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.id)).toEqual([
      expect.stringMatching(/^tooluse_/),
      expect.stringMatching(/^tooluse_/),
    ]);
    expect(calls[0]?.id).not.toBe(calls[1]?.id);
    expect(calls.map((c) => c.function.name)).toEqual(["edit_file", "edit_file"]);
    // The fragments are joined in order: the first starts as sent, the second carries its own file.
    expect(calls[0]?.function.arguments).toMatch(
      /^\{"filePath":"\/Users\/roblou\/code\/debugtest\/test\.js"/,
    );
    expect(calls[1]?.function.arguments).toContain('"filePath":"/Users/roblou/code/debugtest/server.js"');
    expect(result.choices[0]?.finish_reason).toBe("tool_calls");
    expect(result.usage?.prompt_tokens).toBe(2128);
  });

  it("replays the real GPT capture", async () => {
    fake.state.copilot.streamFixture = "chat-stream-gpt.sse";
    const { client } = fakeClient(fake);
    const acc = new ChatAccumulator();
    for await (const chunk of await client.chat({ model: "gpt-4o", messages: hello, stream: true }))
      acc.push(chunk);
    const result = acc.result();
    expect(result.id).toBe("chatcmpl-C8ojeJT8SVXTy5qp7xog2lFodnxFA");
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it("surfaces a mid-stream error chunk as a typed error after the text so far", async () => {
    fake.state.copilot.midStreamErrorAfter = 2;
    const { client } = fakeClient(fake);
    const stream = await client.chat({ model: "gpt-4o", messages: hello, stream: true });
    const seen: string[] = [];
    const failure = await (async () => {
      try {
        for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? "");
      } catch (e) {
        return e;
      }
    })();
    expect(failure).toBeInstanceOf(UpstreamStreamError);
    expect((failure as UpstreamStreamError).message).toBe(
      "Copilot failed mid-answer (server_error: Upstream model failed mid-stream); retry the request.",
    );
    expect(seen.join("")).not.toBe("");
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });

  it("surfaces a dropped connection mid-stream and never retries it", async () => {
    fake.state.copilot.midStreamDisconnectAfter = 2;
    fake.state.copilot.chunkDelayMs = 20;
    const { client } = fakeClient(fake);
    const stream = await client.chat({ model: "gpt-4o", messages: hello, stream: true });
    await expect(collect(stream)).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });

  it("times out when the stream goes quiet between chunks", async () => {
    // undici checks body timeouts on a coarse (about 1 s) clock, so the pause must be longer than that.
    fake.state.copilot.chunkDelayMs = 3000;
    fake.state.copilot.streamChunks = 2;
    const { client } = fakeClient(fake, { idleMs: 200 });
    const stream = await client.chat({ model: "gpt-4o", messages: hello, stream: true });
    await expect(collect(stream)).rejects.toBeInstanceOf(TimeoutError);
  });

  it("times out when no first byte of the answer arrives in time, and does not retry it", async () => {
    // undici checks header timeouts on a coarse (about 1 s) clock, so the wait must be longer than that.
    const { client } = fakeClient(fake, { firstByteMs: 200 });
    await client.models(); // the catalogue is fetched before the fake turns slow
    fake.state.copilot.thinkTimeMs = 3000;
    const error = await client.chat({ model: "gpt-4o", messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe(
      `${new URL(fake.url).host} did not answer in time; check your network or proxy settings.`,
    );
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });

  it("honours an AbortSignal before and during the stream", async () => {
    const { client } = fakeClient(fake);
    await client.models();
    await expect(
      client.chat({ model: "gpt-4o", messages: hello }, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortedError);
    fake.state.copilot.chunkDelayMs = 50;
    fake.state.copilot.streamChunks = 50;
    const controller = new AbortController();
    const stream = await client.chat(
      { model: "gpt-4o", messages: hello, stream: true },
      { signal: controller.signal },
    );
    const failure = (async () => {
      for await (const _ of stream) controller.abort();
    })();
    await expect(failure).rejects.toBeInstanceOf(AbortedError);
  });

  it("breaking out of a stream closes the upstream request", async () => {
    fake.state.copilot.chunkDelayMs = 20;
    fake.state.copilot.streamChunks = 100;
    const { client } = fakeClient(fake);
    const stream = await client.chat({ model: "gpt-4o", messages: hello, stream: true });
    for await (const _ of stream) break;
    await eventually(() => fake.abortedRequests.length > 0);
    expect(fake.abortedRequests.map((r) => r.path)).toContain("/chat/completions");
  });

  it("routes a Responses-only model through /responses, non-streamed and streamed", async () => {
    const { client } = fakeClient(fake);
    const completion = await client.chat({
      model: "gpt-5.1-codex",
      messages: [{ role: "system", content: "be brief" }, ...hello],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe("echo: hello there");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    const sent = fake.requestsTo("/responses")[0]?.body as Record<string, unknown>;
    expect(sent.instructions).toBe("be brief");
    expect(sent.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "hello there" }] },
    ]);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);

    const chunks = await collect(
      await client.chat({ model: "gpt-5.1-codex", messages: hello, stream: true }),
    );
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: hello there");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(15);
  });

  it("streams a forced tool call from a Responses-only model as chat tool-call deltas", async () => {
    const { client } = fakeClient(fake);
    const acc = new ChatAccumulator();
    const stream = await client.chat({
      model: "gpt-5.1-codex",
      messages: hello,
      stream: true,
      tools: [{ type: "function", function: { name: "search", parameters: { type: "object" } } }],
      tool_choice: "required",
    });
    for await (const chunk of stream) acc.push(chunk);
    const choice = acc.result().choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_fake\d+$/),
        type: "function",
        function: { name: "search", arguments: '{"query":"hello there"}' },
      },
    ]);
    const sent = fake.requestsTo("/responses")[0]?.body as Record<string, unknown>;
    expect(sent.tools).toEqual([{ type: "function", name: "search", parameters: { type: "object" } }]);
  });

  it("merges the separate text and tool-call choices of a non-streamed Claude answer", async () => {
    fake.state.copilot.toolCalls = true;
    const { client } = fakeClient(fake);
    const completion = await client.chat({
      model: "claude-sonnet-4.5",
      messages: [{ role: "user", content: "Oslo" }],
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }],
    });
    expect(completion.choices).toEqual([
      {
        index: 0,
        finish_reason: "tool_calls",
        message: {
          role: "assistant",
          content: "Let me look that up.",
          tool_calls: [
            {
              id: expect.stringMatching(/^call_fake/),
              type: "function",
              function: { name: "weather", arguments: '{"query":"Oslo"}' },
            },
          ],
        },
      },
    ]);
  });

  it("fails before sending for an unknown or disabled model", async () => {
    const { client } = fakeClient(fake);
    await expect(client.chat({ model: "gpt-4.2", messages: hello })).rejects.toBeInstanceOf(
      UnknownModelError,
    );
    await expect(client.chat({ model: "fake-disabled-model", messages: hello })).rejects.toThrow(/disabled/);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });
});

describe("client resilience", () => {
  it("honours Retry-After on a 429 within the bound, then succeeds", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: { error: { message: "Sorry, you have been rate-limited.", code: "user_model_rate_limited" } },
      headers: { "retry-after": "3" },
    });
    const { client, waits } = fakeClient(fake);
    const completion = await client.chat({ model: "gpt-4o", messages: hello });
    expect(completion.choices[0]?.message.content).toBe("echo: hello there");
    expect(waits).toEqual([3000]);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(2);
  });

  it("an AbortSignal also ends the wait for Retry-After", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: { error: { message: "Sorry, you have been rate-limited.", code: "user_model_rate_limited" } },
      headers: { "retry-after": "15" },
    });
    const { client, session } = fakeClient(fake);
    session.sleep = undefined; // the real wait, so the abort has something to cut short
    await client.models();
    const error = await client
      .chat({ model: "gpt-4o", messages: hello }, { signal: AbortSignal.timeout(200) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });

  it("fails at once with the wait in the message when Retry-After is beyond the bound", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: { error: { message: "Sorry, you have been rate-limited.", code: "user_model_rate_limited" } },
      headers: { "retry-after": "3600" },
    });
    const { client, waits } = fakeClient(fake);
    const error = await client.chat({ model: "gpt-4o", messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopilotApiError);
    expect((error as CopilotApiError).message).toBe(
      "Copilot rate-limited this request (user_model_rate_limited: Sorry, you have been rate-limited.). Retry after 60 min.",
    );
    expect(waits).toEqual([]);
  });

  it("honours Retry-After given as an HTTP date on a 503, within the bound", async () => {
    const retryAt = new Date(Date.now() + 10_000).toUTCString();
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 503,
      body: "busy",
      headers: { "retry-after": retryAt },
    });
    const { client, waits } = fakeClient(fake);
    const completion = await client.chat({ model: "gpt-4o", messages: hello });
    expect(completion.choices[0]?.message.content).toBe("echo: hello there");
    expect(waits).toHaveLength(1);
    // An HTTP date has whole seconds: the wait is what is left of the 10 s, never the backoff's few ms.
    expect(waits[0]).toBeGreaterThan(8_000);
    expect(waits[0]).toBeLessThanOrEqual(10_000);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(2);
  });

  it("reads Copilot's own rate-limit headers from the real capture", async () => {
    const { _note, ...headers } = fixtureJson<Record<string, string>>("error-429-headers.json");
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: fixtureJson("error-429-user-model-rate-limited.json"),
      headers: { ...headers, "retry-after": "" },
    });
    const { client, waits } = fakeClient(fake);
    const error = (await client
      .chat({ model: "gpt-4o", messages: hello })
      .catch((e: unknown) => e)) as CopilotApiError;
    expect(error.retryAfterMs).toBe(6_311_000);
    expect(error.message).toBe(
      "Copilot rate-limited this request (user_model_rate_limited: Sorry, you've exhausted this model's rate limit.; limit global-chat:global-usage-5-hour-key). Retry after 106 min.",
    );
    expect(waits).toEqual([]);
  });

  it("backs off on 5xx and on a connection reset before the answer", async () => {
    fake.state.copilot.failures.push(
      { path: "/chat/completions", status: 502, body: "Bad Gateway" },
      { path: "/chat/completions", status: 0, body: "", reset: true },
    );
    const { client, waits } = fakeClient(fake);
    const completion = await client.chat({ model: "gpt-4o", messages: hello });
    expect(completion.choices[0]?.message.content).toBe("echo: hello there");
    expect(waits).toHaveLength(2);
    expect(fake.requestsTo("/chat/completions")).toHaveLength(3);
  });

  it("gives up after the bounded retries with a one-line 5xx message", async () => {
    for (let i = 0; i < 3; i++)
      fake.state.copilot.failures.push({
        path: "/chat/completions",
        status: 500,
        body: { error: { message: "boom" } },
      });
    const { client } = fakeClient(fake);
    await expect(client.chat({ model: "gpt-4o", messages: hello })).rejects.toThrow(
      "Copilot is unavailable (HTTP 500: boom); retry in a moment.",
    );
  });

  it("heals a 401 with one fresh token", async () => {
    const { client } = fakeClient(fake);
    await client.models();
    fake.expireCopilotTokens();
    const completion = await client.chat({ model: "gpt-4o", messages: hello });
    expect(completion.choices[0]?.message.content).toBe("echo: hello there");
    expect(fake.exchanges).toBe(2);
  });

  it("tells the quota reset date on a 402", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 402,
      body: { error: { message: "You have no quota", code: "quota_exceeded" } },
    });
    const { client } = fakeClient(fake);
    const error = (await client
      .chat({ model: "gpt-4o", messages: hello })
      .catch((e: unknown) => e)) as CopilotApiError;
    expect(error.code).toBe("quota_exceeded");
    expect(error.resetDate).toBe("2026-10-01");
    expect(error.message).toBe(
      "Your Copilot quota is exhausted (You have no quota); it resets on 2026-10-01. See `copilot-gateway usage`.",
    );
  });

  it("types 422 content filtering and 466 client version errors", async () => {
    fake.state.copilot.failures.push(
      {
        path: "/chat/completions",
        status: 422,
        body: { error: { message: "filtered", code: "content_filter" } },
      },
      { path: "/chat/completions", status: 466, body: "client version not supported" },
    );
    const { client } = fakeClient(fake);
    await expect(client.chat({ model: "gpt-4o", messages: hello })).rejects.toThrow(
      "Copilot's content filter blocked this request (filtered); rephrase the prompt.",
    );
    const e466 = (await client
      .chat({ model: "gpt-4o", messages: hello })
      .catch((e: unknown) => e)) as CopilotApiError;
    expect(e466.code).toBe("client_version_unsupported");
    expect(e466.message).toMatch(/^Copilot no longer supports this client version/);
  });

  it("says to pick another model when Copilot refuses the model at this endpoint (real captures)", async () => {
    for (const file of ["error-400-model-not-supported.json", "error-400-unsupported-api-for-model.json"])
      fake.state.copilot.failures.push({ path: "/chat/completions", status: 400, body: fixtureJson(file) });
    const { client } = fakeClient(fake);
    await expect(client.chat({ model: "gpt-4o", messages: hello })).rejects.toThrow(
      "Copilot cannot use this model here (The requested model is not supported.); run `copilot-gateway models` to pick another.",
    );
    const error = (await client
      .chat({ model: "gpt-4o", messages: hello })
      .catch((e: unknown) => e)) as CopilotApiError;
    expect(error).toMatchObject({ code: "unsupported_api_for_model", upstreamStatus: 400 });
    expect(error.message).toBe(
      'Copilot cannot use this model here (model "gpt-5.4" is not accessible via the /chat/completions endpoint); run `copilot-gateway models` to pick another.',
    );
  });

  it("explains a rejected Editor-Version", async () => {
    const { client } = fakeClient(fake, { env: { COPILOT_GATEWAY_EDITOR_VERSION: "emacs/29" } });
    await expect(client.models()).rejects.toThrow(
      /set COPILOT_GATEWAY_EDITOR_VERSION to a current vscode\/x\.y\.z/,
    );
  });
});
