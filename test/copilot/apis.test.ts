import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ModelCapabilityError } from "../../src/copilot/model-errors.js";
import { quotaResetDate } from "../../src/copilot/usage.js";
import { UpstreamStreamError } from "../../src/sse/stream-errors.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { fakeClient } from "./helpers.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("client.responses()", () => {
  it("answers non-streamed and streamed for a model that lists /responses", async () => {
    const { client } = fakeClient(fake);
    const result = await client.responses({ model: "gpt-5-mini", input: "hi" });
    expect(result).toMatchObject({ object: "response", status: "completed", model: "gpt-5-mini" });
    expect(fake.requestsTo("/responses")[0]?.headers["x-initiator"]).toBe("user");

    fake.state.copilot.responsesFixture = true;
    const events = await all(await client.responses({ model: "gpt-5-mini", input: "hi", stream: true }));
    expect(events[0]?.type).toBe("response.created");
    expect(events.at(-1)?.type).toBe("response.completed");
    expect(events.at(-1)).toHaveProperty("copilot_usage");
  });

  it("marks a function_call_output follow-up as agent and flags images", async () => {
    const { client } = fakeClient(fake);
    await client.responses({
      model: "gpt-5-mini",
      input: [
        {
          type: "message",
          role: "user",
          content: [{ type: "input_image", image_url: "data:image/png;base64,AA" }],
        },
        { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: "c", output: "ok" },
      ],
    });
    const seen = fake.requestsTo("/responses")[0];
    expect(seen?.headers["x-initiator"]).toBe("agent");
    expect(seen?.headers["copilot-vision-request"]).toBe("true");
  });

  it("surfaces a mid-stream error event", async () => {
    fake.state.copilot.midStreamErrorAfter = 1;
    const { client } = fakeClient(fake);
    const stream = await client.responses({ model: "gpt-5-mini", input: "hi", stream: true });
    await expect(all(stream)).rejects.toBeInstanceOf(UpstreamStreamError);
  });

  it("refuses a model that does not list /responses before sending", async () => {
    const { client } = fakeClient(fake);
    await expect(client.responses({ model: "gpt-4o", input: "hi" })).rejects.toBeInstanceOf(
      ModelCapabilityError,
    );
    expect(fake.requestsTo("/responses")).toHaveLength(0);
  });
});

describe("client.messages()", () => {
  it("speaks Copilot's native /v1/messages for a Claude model, streamed and not", async () => {
    const { client } = fakeClient(fake);
    const message = await client.messages(
      { model: "claude-sonnet-4.5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] },
      { headers: { "anthropic-beta": "interleaved-thinking-2025-05-14" } },
    );
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "echo: hi" }],
    });
    const seen = fake.requestsTo("/v1/messages")[0];
    expect(seen?.headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14");
    expect(seen?.headers["x-initiator"]).toBe("user");

    const events = await all(
      await client.messages({
        model: "claude-sonnet-4.5",
        max_tokens: 100,
        stream: true,
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
        ],
      }),
    );
    expect(events[0]?.type).toBe("message_start");
    expect(events.at(-1)?.type).toBe("message_stop");
    expect(fake.requestsTo("/v1/messages")[1]?.headers["x-initiator"]).toBe("agent");
  });

  it("refuses a model without /v1/messages", async () => {
    const { client } = fakeClient(fake);
    await expect(
      client.messages({ model: "gpt-4o", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toThrow('"gpt-4o" does not support /v1/messages');
  });
});

describe("client.embeddings()", () => {
  it("embeds with an embeddings model and refuses a chat model", async () => {
    const { client } = fakeClient(fake);
    const result = (await client.embeddings({ model: "text-embedding-3-small", input: ["a", "b"] })) as {
      data: { index: number; embedding: number[] }[];
    };
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    expect(result.data[0]?.embedding.length).toBeGreaterThan(0);
    await expect(client.embeddings({ model: "gpt-4o", input: "a" })).rejects.toThrow(
      '"gpt-4o" is not an embeddings model',
    );
  });
});

describe("client.usage()", () => {
  it("reads plan, snapshots and reset date with the GitHub token", async () => {
    const { client } = fakeClient(fake);
    const usage = await client.usage();
    expect(usage).toMatchObject({
      login: "octocat",
      copilot_plan: "business",
      quota_snapshots: {
        premium_interactions: {
          entitlement: 300,
          remaining: 93,
          percent_remaining: 31.1666667,
          unlimited: false,
        },
        chat: { unlimited: true },
      },
    });
    expect(quotaResetDate(usage)).toBe("2026-10-01");
    expect(fake.requestsTo("/copilot_internal/user")[0]?.headers.authorization).toMatch(/^token gho_/);
    // Only the GitHub API is involved: no Copilot token exchange.
    expect(fake.exchanges).toBe(0);
  });
});
