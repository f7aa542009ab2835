import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway } from "./harness.js";

const fake = new FakeUpstream();
let gw: Harness;
let client: OpenAI;

beforeAll(async () => {
  await fake.start();
  gw = await startGateway(fake);
  client = gw.client();
});
afterAll(async () => {
  await gw.close();
  await fake.stop();
});
beforeEach(() => fake.reset());

/** Raw SSE `data:` payloads of a streamed answer, to assert on what the wire carries. */
async function rawStream(path: string, body: unknown): Promise<string[]> {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6));
}

describe("GET /v1/models", () => {
  it("lists the catalogue in OpenAI's shape with Copilot's fields kept", async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain("gpt-4.1");
    expect(ids).toContain("gpt-5.1-codex");
    expect(new Set(ids).size).toBe(ids.length);
    const gpt = page.data.find((m) => m.id === "gpt-4.1") as unknown as Record<string, unknown>;
    expect(gpt.object).toBe("model");
    expect(gpt.owned_by).toBe("Azure OpenAI");
    expect((gpt.capabilities as { type: string }).type).toBe("chat");
    expect(gpt.is_chat_default).toBe(true);
    const codex = page.data.find((m) => m.id === "gpt-5.1-codex") as unknown as Record<string, unknown>;
    expect(codex.supported_endpoints).toEqual(["/responses", "ws:/responses"]);
  });

  it("retrieves one model and names an unknown one", async () => {
    expect((await client.models.retrieve("gpt-4o")).id).toBe("gpt-4o");
    const error = await client.models.retrieve("gpt-4.2").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
    expect((error as Error).message).toContain('"gpt-4.2"');
    expect((error as Error).message).toContain('"gpt-4.1"');
  });

  it("fetches the catalogue once and serves later lists from the cache", async () => {
    await client.models.list();
    await client.models.list();
    await client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "a" }] });
    expect(fake.requestsTo("/models").length).toBeLessThanOrEqual(1);
  });
});

describe("POST /v1/chat/completions", () => {
  it("answers a non-streamed chat and forwards the client's body byte for byte", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hello gateway" }],
    });
    expect(completion.choices[0]?.message.content).toBe("echo: hello gateway");
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    const seen = fake.requestsTo("/chat/completions")[0];
    expect(seen?.headers["x-initiator"]).toBe("user");
    expect(seen?.headers.authorization).toMatch(/^Bearer tid=fake/);
    expect(JSON.parse(seen?.rawBody ?? "")).toEqual({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hello gateway" }],
    });
  });

  it("marks tool results as agent-initiated and images as vision requests", async () => {
    await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "42" },
      ],
    });
    const seen = fake.requestsTo("/chat/completions")[0];
    expect(seen?.headers["x-initiator"]).toBe("agent");
    expect(seen?.headers["copilot-vision-request"]).toBe("true");
  });

  it("streams chunks, dropping the prompt-filter chunk and the usage chunk nobody asked for", async () => {
    fake.state.copilot.streamChunks = 20;
    const data = await rawStream("/v1/chat/completions", {
      model: "gpt-4.1",
      messages: [{ role: "user", content: "stream me twenty chunks" }],
      stream: true,
    });
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: unknown[]; usage?: unknown });
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    // role chunk + 20 content chunks + finish chunk
    expect(chunks).toHaveLength(22);
  });

  it("delivers usage when stream_options.include_usage asks, through the SDK", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "count tokens" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("echo: count tokens");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(gw.logLines.at(-1)).toMatch(/POST \/v1\/chat\/completions gpt-4\.1 200 .* tokens=\d+\/\d+ stream/);
  });

  it("streams Claude tool calls as separate calls even when upstream reuses index 0", async () => {
    fake.state.copilot.streamFixture = "chat-stream-claude-tools.sse";
    const stream = client.chat.completions.stream({
      model: "claude-sonnet-4.5",
      messages: [{ role: "user", content: "edit two files" }],
      tools: [
        { type: "function", function: { name: "edit_file", parameters: { type: "object", properties: {} } } },
      ],
    });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const calls = choice?.message.tool_calls ?? [];
    expect(calls.map((c) => c.id)).toEqual([
      "tooluse_448k6WHnTpS28K0Bd1bhgA",
      "tooluse_2SRF2HShTXOoLdGrjWuGiw",
    ]);
    for (const call of calls) {
      expect(call.type).toBe("function");
      if (call.type === "function") {
        expect(call.function.name).toBe("edit_file");
        expect(call.function.arguments).toContain("filePath");
      }
    }
    expect(choice?.message.content).toContain("I'll make two changes:");
  });

  it("surfaces an upstream error in mid-stream as an SDK error", async () => {
    fake.state.copilot.midStreamErrorAfter = 2;
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "fail halfway" }],
      stream: true,
    });
    const consume = async () => {
      for await (const _ of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow(/mid-stream/);
  });

  it("tells the client when upstream drops the connection mid-stream", async () => {
    fake.state.copilot.midStreamDisconnectAfter = 2;
    fake.state.copilot.chunkDelayMs = 20; // lets the first chunks leave the fake before it drops the socket
    const data = await rawStream("/v1/chat/completions", {
      model: "gpt-4.1",
      messages: [{ role: "user", content: "drop me" }],
      stream: true,
    });
    const last = JSON.parse(data.at(-1) ?? "{}") as { error?: { code?: string; message?: string } };
    expect(last.error?.code).toBe("upstream_stream_error");
    expect(last.error?.message).toContain("retry");
  });

  it("serves the same routes without the /v1 prefix", async () => {
    const bare = new OpenAI({ baseURL: gw.url, apiKey: "x", maxRetries: 0 });
    const completion = await bare.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "no prefix" }],
    });
    expect(completion.choices[0]?.message.content).toBe("echo: no prefix");
    expect((await bare.models.list()).data.length).toBeGreaterThan(0);
  });
});

describe("a Responses-only model through chat completions", () => {
  it("answers a non-streamed chat with gpt-5.1-codex via /responses", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-5.1-codex",
      messages: [{ role: "user", content: "codex, hello" }],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe("echo: codex, hello");
    // (fake.reset() revokes the token, so the first attempt may be a 401 healed by a retry.)
    expect(fake.requestsTo("/responses").at(-1)?.body).toMatchObject({ model: "gpt-5.1-codex" });
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("streams a chat with gpt-5.1-codex as chat chunks", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-5.1-codex",
      messages: [{ role: "user", content: "stream it" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe("stop");
    expect(usage?.total_tokens).toBeGreaterThan(0);
    expect(fake.requestsTo("/responses")[0]?.body).toMatchObject({ model: "gpt-5.1-codex", stream: true });
  });
});

describe("errors in OpenAI's shape", () => {
  it("relays an upstream 429 with its status, code and Retry-After", async () => {
    fake.state.copilot.failures.push({
      status: 429,
      body: { error: { message: "Rate limit exceeded", code: "user_model_rate_limited" } },
      headers: { "retry-after": "120", "x-request-id": "req_upstream_1" },
      path: "/chat/completions",
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("120");
    expect(res.headers.get("x-request-id")).toBe("req_upstream_1");
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error.type).toBe("rate_limit_error");
    expect(body.error.code).toBe("user_model_rate_limited");
    expect(body.error.message).toContain("Rate limit exceeded");
  });

  it("gives the SDK a typed error for a 402 quota failure", async () => {
    fake.state.copilot.failures.push({
      status: 402,
      body: { error: { message: "You have no quota", code: "quota_exceeded" } },
    });
    const error = await client.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("quota_exceeded");
  });

  it("answers a policy-disabled model and one awaiting consent with 403 permission errors", async () => {
    for (const [model, code, hint] of [
      ["fake-disabled-model", "model_disabled", "ask an admin"],
      ["fake-consent-model", "model_requires_consent", "copilot-gateway models enable fake-consent-model"],
    ] as const) {
      const error = await client.chat.completions
        .create({ model, messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      const denied = error as InstanceType<typeof OpenAI.PermissionDeniedError>;
      expect([denied.status, denied.code, denied.type]).toEqual([403, code, "permission_error"]);
      expect(denied.message).toContain(hint);
    }
  });

  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model": "gpt-4.1", "messages": [',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("accepts a JSON body sent with another content type (curl -d)", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "curl" }] }),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toBe("echo: curl");
  });

  it("answers a body without messages with 400 naming the field", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-4.1", messages: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("messages");
  });

  it("answers an unknown model with 404 naming it, before calling Copilot", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-4.11", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('"gpt-4.11"');
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("answers an unknown route with 404 in OpenAI's shape", async () => {
    const res = await fetch(`${gw.url}/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("refuses an oversized body with 413", async () => {
    const small = await startGateway(fake, { bodyLimitBytes: 1024 });
    try {
      const res = await fetch(`${small.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "x".repeat(4096) }] }),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
    } finally {
      await small.close();
    }
  });
});

describe("POST /v1/embeddings and /v1/responses", () => {
  it("creates embeddings", async () => {
    const result = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(result.data).toHaveLength(2);
    expect(result.data[1]?.index).toBe(1);
    expect(result.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it("embeddings reach the SDK intact: its default base64 format is honoured for an upstream that sends numbers", async () => {
    // The SDK asks for encoding_format "base64" and decodes float32; the fake (like an upstream ignoring the
    // format) answers arrays of numbers, which the gateway encodes.
    const result = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(fake.requestsTo("/embeddings").at(-1)?.body).toMatchObject({ encoding_format: "base64" });
    const second = Array.from(result.data[1]?.embedding ?? []).map((v) => Math.round(v * 1e6) / 1e6);
    expect(second).toEqual([0.1, -0.2, 0.3, 0.1]);
    // Asked for floats, the answer is forwarded as is.
    const floats = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: "a",
      encoding_format: "float",
    });
    expect(floats.data[0]?.embedding).toEqual([0.1, -0.2, 0.3, 0]);
  });

  it("refuses a chat model for embeddings with a clear 400", async () => {
    const error = await client.embeddings.create({ model: "gpt-4.1", input: "a" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("not an embeddings model");
    expect(fake.requestsTo("/embeddings")).toHaveLength(0);
  });

  it("answers a Responses request, not streamed", async () => {
    const response = await client.responses.create({ model: "gpt-5.1-codex", input: "write a haiku" });
    expect(response.output_text).toBe("echo: write a haiku");
  });

  it("streams a Responses answer event by event", async () => {
    const stream = await client.responses.create({ model: "gpt-5-mini", input: "search", stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.completed");
  });

  it("sends a chat model through /v1/responses where Copilot lists /responses, and refuses it otherwise", async () => {
    const ok = await client.responses.create({ model: "gpt-5-mini", input: "hi" });
    expect(ok.output_text).toBe("echo: hi");
    const error = await client.responses.create({ model: "gpt-4.1", input: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("unsupported_api_for_model");
  });
});
