import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ApprovalAnswer,
  type AskApproval,
  ManualApproval,
} from "../../src/server/upstream-gate/manual-approval.js";
import { lastUserMessagePreview } from "../../src/server/upstream-gate/message-preview.js";
import { RequestPacer } from "../../src/server/upstream-gate/request-pacer.js";
import type { UpstreamCall, UpstreamGate } from "../../src/server/upstream-gate/upstream-call.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway, waitFor } from "./harness.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

let gw: Harness | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function gateway(upstreamGate: UpstreamGate): Promise<Harness> {
  gw = await startGateway(fake, { runtime: { upstreamGate } });
  return gw;
}

const anthropicClient = (url: string) => new Anthropic({ baseURL: url, apiKey: "unused", maxRetries: 0 });
const chat = (client: OpenAI, content: string, signal?: AbortSignal) =>
  client.chat.completions.create(
    { model: "gpt-4.1", messages: [{ role: "user", content }] },
    signal ? { signal } : {},
  );
/** The user messages of the chat requests the fake received, in arrival order. */
const seenPrompts = () =>
  fake
    .requestsTo("/chat/completions")
    .map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)?.content);

describe("--rate-limit without --wait", () => {
  it("answers an early request 429 with Retry-After, in OpenAI's shape", async () => {
    let now = 0;
    const pacer = new RequestPacer({ intervalMs: 4000, wait: false, now: () => now });
    const { client } = await gateway(pacer.gate);
    const openai = client();
    await chat(openai, "first");
    now = 1500; // 2.5 s left until the next slot: Retry-After rounds up to 3
    const error = await chat(openai, "too early").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const e = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.headers.get("retry-after")).toBe("3");
    expect(e.error).toMatchObject({ type: "rate_limit_error", code: "gateway_rate_limited" });
    expect(e.message).toContain("--rate-limit");
    expect(e.message).toContain("--wait");
    expect(seenPrompts()).toEqual(["first"]);
    now = 4000; // the slot has come
    await chat(openai, "on time");
    expect(seenPrompts()).toEqual(["first", "on time"]);
  });

  it("answers an early request 429 with Retry-After, in Anthropic's shape", async () => {
    let now = 0;
    const pacer = new RequestPacer({ intervalMs: 2000, wait: false, now: () => now });
    const { url } = await gateway(pacer.gate);
    const anthropic = anthropicClient(url);
    const ask = (content: string) =>
      anthropic.messages.create({
        model: "claude-sonnet-4.5",
        max_tokens: 64,
        messages: [{ role: "user", content }],
      });
    await ask("first");
    now = 1999.5;
    const error = await ask("too early").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const e = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.headers.get("retry-after")).toBe("1");
    expect(e.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect((e.error as { error: { message: string } }).error.message).toContain("--rate-limit");
    expect(fake.requestsTo("/v1/messages")).toHaveLength(1);
  });

  it("does not count the model catalogue or count_tokens", async () => {
    let now = 0;
    const pacer = new RequestPacer({ intervalMs: 60_000, wait: false, now: () => now });
    const { client, url } = await gateway(pacer.gate);
    const openai = client();
    await chat(openai, "one model call");
    now = 10;
    expect((await openai.models.list()).data.length).toBeGreaterThan(0);
    const counted = await anthropicClient(url).messages.countTokens({
      model: "claude-sonnet-4.5",
      messages: [{ role: "user", content: "count me" }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
    await expect(chat(openai, "second model call")).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe("--rate-limit with --wait", () => {
  it("sends concurrent requests one by one, at least the gap apart", async () => {
    const gapMs = 400;
    const pacer = new RequestPacer({ intervalMs: gapMs, wait: true });
    const { client } = await gateway(pacer.gate);
    const openai = client();
    const answers = await Promise.all(["a", "b", "c", "d"].map((p) => chat(openai, p)));
    expect(answers.map((a) => a.choices[0]?.message.content).sort()).toEqual([
      "echo: a",
      "echo: b",
      "echo: c",
      "echo: d",
    ]);
    const arrivals = fake.requestsTo("/chat/completions").map((r) => r.receivedAt);
    expect(arrivals).toHaveLength(4);
    // Gaps are measured where the fake received them; a few ms of jitter between sending and arriving is allowed.
    const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(gapMs - 40);
  });

  it("drops a queued request whose client leaves: the fake never sees it", async () => {
    const pacer = new RequestPacer({ intervalMs: 1500, wait: true });
    const { client } = await gateway(pacer.gate);
    const openai = client();
    await chat(openai, "first");
    const leaving = new AbortController();
    const left = chat(openai, "leaves the queue", leaving.signal).catch((e: unknown) => e);
    await waitFor(() => pacer.queued === 1, "the second request to queue");
    leaving.abort();
    expect(await left).toBeInstanceOf(OpenAI.APIUserAbortError);
    await waitFor(() => pacer.queued === 0, "the queue to drop the request");
    expect((await chat(openai, "third")).choices[0]?.message.content).toBe("echo: third");
    expect(seenPrompts()).toEqual(["first", "third"]);
    expect(gw?.logLines.some((l) => / 499 .*client-aborted/.test(l))).toBe(true);
  });

  it("refuses one more than the queue holds with 429 rate_limit_queue_full", async () => {
    const pacer = new RequestPacer({ intervalMs: 60_000, wait: true, maxQueue: 1 });
    const { client } = await gateway(pacer.gate);
    const openai = client();
    await chat(openai, "first");
    const leaving = new AbortController();
    const queued = chat(openai, "queued", leaving.signal).catch((e: unknown) => e);
    await waitFor(() => pacer.queued === 1, "the second request to queue");
    const error = await chat(openai, "no room").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const e = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.error).toMatchObject({ code: "rate_limit_queue_full" });
    expect(Number(e.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    leaving.abort();
    await queued;
    expect(seenPrompts()).toEqual(["first"]);
  });
});

/** An ask function the test answers by hand, recording what it was shown. */
function scriptedAsk() {
  const asked: { call: UpstreamCall; answer: (a: ApprovalAnswer) => void; signal: AbortSignal }[] = [];
  const ask: AskApproval = (call, { signal }) =>
    new Promise<ApprovalAnswer>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      asked.push({ call, answer: resolve, signal });
    });
  return { ask, asked };
}

describe("--manual", () => {
  it("shows route, model, preview and client; approve sends it, deny answers 403 in each shape", async () => {
    const { ask, asked } = scriptedAsk();
    const approval = new ManualApproval(ask);
    const { client, url } = await gateway(approval.gate);
    const openai = client();

    const approved = chat(openai, "please approve me");
    await waitFor(() => asked.length === 1, "the first question");
    expect(asked[0]?.call).toMatchObject({
      api: "openai",
      route: "POST /v1/chat/completions",
      model: "gpt-4.1",
      preview: "please approve me",
      clientAddress: "127.0.0.1",
    });
    expect(asked[0]?.call.userAgent).toMatch(/^OpenAI\/JS /);
    asked[0]?.answer("approve");
    expect((await approved).choices[0]?.message.content).toBe("echo: please approve me");

    const denied = chat(openai, "deny me").catch((e: unknown) => e);
    await waitFor(() => asked.length === 2, "the second question");
    asked[1]?.answer("deny");
    const error = (await denied) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.error).toMatchObject({ type: "permission_error", code: "request_denied" });
    expect(error.message).toContain("denied at the gateway's terminal (serve --manual)");

    const anthropicDenied = anthropicClient(url)
      .messages.create({
        model: "claude-sonnet-4.5",
        max_tokens: 64,
        messages: [{ role: "user", content: [{ type: "text", text: "anthropic, deny me" }] }],
      })
      .catch((e: unknown) => e);
    await waitFor(() => asked.length === 3, "the Anthropic question");
    expect(asked[2]?.call).toMatchObject({
      api: "anthropic",
      route: "POST /v1/messages",
      model: "claude-sonnet-4.5",
      preview: "anthropic, deny me",
    });
    asked[2]?.answer("deny");
    const anthropicError = (await anthropicDenied) as InstanceType<typeof Anthropic.PermissionDeniedError>;
    expect(anthropicError).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(anthropicError.error).toMatchObject({ type: "error", error: { type: "permission_error" } });

    expect(seenPrompts()).toEqual(["please approve me"]);
    expect(fake.requestsTo("/v1/messages")).toHaveLength(0);
  });

  it("asks one at a time, drops a waiting client that leaves, and stops asking after approve-all", async () => {
    const { ask, asked } = scriptedAsk();
    const approval = new ManualApproval(ask);
    const { client } = await gateway(approval.gate);
    const openai = client();

    const first = chat(openai, "first");
    await waitFor(() => asked.length === 1, "the first question");
    const leaving = new AbortController();
    const second = chat(openai, "second leaves", leaving.signal).catch((e: unknown) => e);
    const third = chat(openai, "third");
    await waitFor(() => approval.waiting === 3, "two more requests to wait behind the question");
    expect(asked).toHaveLength(1); // one question at a time
    leaving.abort();
    expect(await second).toBeInstanceOf(OpenAI.APIUserAbortError);
    await waitFor(() => approval.waiting === 2, "the leaving request to be dropped");
    asked[0]?.answer("approve-all");
    await first;
    await third; // approved by "all" without a question
    expect((await chat(openai, "fourth")).choices[0]?.message.content).toBe("echo: fourth");
    expect(asked.map((a) => a.call.preview)).toEqual(["first"]);
    expect(seenPrompts()).toEqual(["first", "third", "fourth"]);
  });

  it("withdraws the open question when its client leaves, then asks the next", async () => {
    const { ask, asked } = scriptedAsk();
    const approval = new ManualApproval(ask);
    const { client } = await gateway(approval.gate);
    const openai = client();
    const leaving = new AbortController();
    const first = chat(openai, "asked, then leaves", leaving.signal).catch((e: unknown) => e);
    await waitFor(() => asked.length === 1, "the first question");
    const second = chat(openai, "next");
    await waitFor(() => approval.waiting === 2, "the second request to wait");
    leaving.abort();
    expect(await first).toBeInstanceOf(OpenAI.APIUserAbortError);
    await waitFor(() => asked.length === 2, "the next question");
    expect(asked[0]?.signal.aborted).toBe(true);
    asked[1]?.answer("approve");
    await second;
    expect(seenPrompts()).toEqual(["next"]);
  });
});

describe("last user message preview", () => {
  it("reads chat, Anthropic, Responses and embeddings bodies", () => {
    expect(
      lastUserMessagePreview({
        messages: [
          { role: "user", content: "old" },
          { role: "assistant", content: "x" },
          { role: "user", content: [{ type: "text", text: "new" }, { type: "image_url" }] },
        ],
      }),
    ).toBe("new");
    expect(
      lastUserMessagePreview({
        messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "42" }] }],
      }),
    ).toBe("(tool result)");
    expect(lastUserMessagePreview({ input: "just a string" })).toBe("just a string");
    expect(
      lastUserMessagePreview({
        input: [{ role: "user", content: [{ type: "input_text", text: "responses item" }] }],
      }),
    ).toBe("responses item");
    expect(lastUserMessagePreview({ input: ["embed me", "and me"] })).toBe("embed me");
    expect(lastUserMessagePreview({ messages: [] })).toBeUndefined();
  });

  it("is one line without terminal escapes, cut to 100 characters, secrets masked", () => {
    const preview = lastUserMessagePreview({
      messages: [
        {
          role: "user",
          content: `\u001b[2J\u001b[31mred\nline\u202etwo gho_abcdefghijklmnopqrstuvwxyz0123456789 ${"x".repeat(200)}`,
        },
      ],
    });
    expect(preview).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(preview).not.toContain("gho_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(preview).toMatch(/^\[2J \[31mred line two gho_/);
    expect(preview).toHaveLength(100);
    expect(preview?.endsWith("…")).toBe(true);
  });
});
