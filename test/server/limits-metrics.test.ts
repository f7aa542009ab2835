import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GatewayMetrics } from "../../src/server/metrics/gateway-metrics.js";
import { UsageHistory, usageHistoryPath } from "../../src/usage-history/usage-history.js";
import { runCli } from "../copilot/helpers.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { limitValue } from "../limits/limit-value.js";
import { type Harness, startGateway } from "./harness.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const weekly429 = (retryAfter?: string) => ({
  path: "/chat/completions",
  status: 429,
  body: fixtureJson("error-429-user-weekly-rate-limited.json"),
  ...(retryAfter && { headers: { "retry-after": retryAfter } }),
});

/** The value of one sample of the Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[3] ?? "").matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[4]);
  }
  return 0;
}

describe("429s for the hours-long limits reach SDK clients with the reset time", () => {
  let gw: Harness;
  beforeAll(async () => {
    gw = await startGateway(fake);
  });
  afterAll(() => gw.close());

  it("OpenAI shape: RateLimitError, the reset in the message, Retry-After relayed, no upstream retry", async () => {
    fake.state.copilot.failures.push(weekly429(String(2 * 86_400 + 3 * 3_600 - 30)));
    const error = await gw
      .client({ maxRetries: 0 })
      .chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const e = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.code).toBe("user_weekly_rate_limited");
    expect(e.message).toMatch(
      /^429 weekly limit reached; resets [A-Z][a-z]{2} \d\d:\d\d \(in 2 days 3 h\)\./,
    );
    expect(e.headers.get("retry-after")).toBe(String(2 * 86_400 + 3 * 3_600 - 30));
    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
  });

  it("Anthropic shape: rate_limit_error, and a Retry-After taken from the session header when Copilot sent none", async () => {
    const reset = new Date(Date.now() + 3 * 3_600_000 + 12 * 60_000 - 30_000).toISOString();
    fake.state.copilot.limitHeaders = { "x-usage-ratelimit-session": limitValue(0, reset) };
    fake.state.copilot.failures.push({
      path: "/v1/messages",
      status: 429,
      body: { error: { message: "Sorry, you've hit the session limit.", code: "user_global_rate_limited" } },
    });
    const client = new Anthropic({ baseURL: gw.url, apiKey: "unused", maxRetries: 0 });
    const error = await client.messages
      .create({ model: "claude-sonnet-4.5", max_tokens: 50, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const e = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(e.message).toContain("session limit (5 hours) reached; resets ");
    expect(e.message).toContain("(in 3 h 12 min)");
    const retryAfter = Number(e.headers.get("retry-after"));
    expect(Math.round(retryAfter / 60)).toBe(3 * 60 + 12);
  });
});

describe("GET /metrics", () => {
  let gw: Harness;
  let home: string;
  afterEach(() => gw.close());

  async function metricsText(key?: string): Promise<string> {
    const res = await fetch(`${gw.url}/metrics`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    return res.text();
  }

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "cg-metrics-"));
  });

  it("is off without --metrics", async () => {
    gw = await startGateway(fake);
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(404);
  });

  it("counters move by exactly what was sent: requests, tokens, errors, limits, exchanges", async () => {
    gw = await startGateway(fake, {
      runtime: { metrics: new GatewayMetrics() },
      env: { COPILOT_GATEWAY_HOME: home },
    });
    const client = gw.client();
    fake.state.copilot.cachedTokens = 3;
    fake.state.copilot.limitHeaders = {
      "x-usage-ratelimit-session": limitValue(81.5, "2026-11-29T23:00:00Z"),
      "x-usage-ratelimit-weekly": limitValue(97, "2026-12-01T14:30:00Z"),
    };
    const before = await metricsText();
    const labels = { route: "/v1/chat/completions", model: "gpt-4.1", status: "200" };

    const first = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "one" }],
    });
    const second = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "two" }],
    });
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "three" }],
    });
    let streamed: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) streamed = chunk.usage;
    fake.state.copilot.failures.push(weekly429("600000"));
    await client.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "four" }] })
      .catch(() => undefined);

    const after = await metricsText();
    const delta = (name: string, l: Record<string, string> = {}) =>
      sample(after, name, l) - sample(before, name, l);
    expect(delta("copilot_gateway_requests_total", { ...labels, stream: "false" })).toBe(2);
    expect(delta("copilot_gateway_requests_total", { ...labels, stream: "true" })).toBe(1);
    expect(delta("copilot_gateway_requests_total", { ...labels, status: "429", stream: "false" })).toBe(1);
    const input =
      (first.usage?.prompt_tokens ?? 0) + (second.usage?.prompt_tokens ?? 0) + (streamed?.prompt_tokens ?? 0);
    const output =
      (first.usage?.completion_tokens ?? 0) +
      (second.usage?.completion_tokens ?? 0) +
      (streamed?.completion_tokens ?? 0);
    expect(input).toBeGreaterThan(0);
    expect(delta("copilot_gateway_tokens_total", { model: "gpt-4.1", kind: "input" })).toBe(input);
    expect(delta("copilot_gateway_tokens_total", { model: "gpt-4.1", kind: "output" })).toBe(output);
    expect(delta("copilot_gateway_tokens_total", { model: "gpt-4.1", kind: "cached" })).toBe(9);
    expect(
      delta("copilot_gateway_upstream_errors_total", { code: "user_weekly_rate_limited", status: "429" }),
    ).toBe(1);
    expect(delta("copilot_gateway_upstream_retries_total")).toBe(0);
    expect(sample(after, "copilot_gateway_limit_percent_left", { limit: "session" })).toBe(81.5);
    expect(sample(after, "copilot_gateway_limit_percent_left", { limit: "weekly" })).toBe(97);
    expect(sample(after, "copilot_gateway_token_exchanges_total")).toBe(1);
    expect(sample(after, "copilot_gateway_open_streams")).toBe(0);
    expect(
      delta("copilot_gateway_time_to_first_byte_seconds_count", {
        route: "/v1/chat/completions",
        stream: "true",
      }),
    ).toBe(1);
    expect(
      delta("copilot_gateway_request_duration_seconds_count", {
        route: "/v1/chat/completions",
        stream: "false",
      }),
    ).toBe(3);
    expect(after).toContain("process_cpu_user_seconds_total");
    expect(after).toContain("nodejs_eventloop_lag_seconds");
    // Never a key or a token in a label.
    expect(after).not.toMatch(/gho_|tid=|Bearer/);
  });

  it("a 503 retried counts one retry by reason", async () => {
    gw = await startGateway(fake, {
      runtime: { metrics: new GatewayMetrics() },
      env: { COPILOT_GATEWAY_HOME: home },
    });
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 503,
      body: "busy",
      headers: { "retry-after": "0" },
    });
    await gw
      .client()
      .chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });
    expect(
      sample(await metricsText(), "copilot_gateway_upstream_retries_total", { reason: "status:503" }),
    ).toBe(1);
  });

  it("is protected like the API when keys are set", async () => {
    gw = await startGateway(fake, { apiKeys: ["sk-metrics"], runtime: { metrics: new GatewayMetrics() } });
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    expect(await metricsText("sk-metrics")).toContain("copilot_gateway_requests_total");
  });
});

describe("usage history", () => {
  it("counts per day and model, survives a restart, and usage --history prints it the same", async () => {
    const home = mkdtempSync(join(tmpdir(), "cg-history-"));
    const path = usageHistoryPath(home);
    let gw = await startGateway(fake, { runtime: { history: new UsageHistory({ path }) } });
    fake.state.copilot.cachedTokens = 2;
    const a = await gw
      .client()
      .chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "a" }] });
    await gw.close();

    const reopened = new UsageHistory({ path });
    gw = await startGateway(fake, { runtime: { history: reopened } });
    const b = await gw
      .client()
      .chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "b" }] });
    await gw.close();

    const today = new Date().toISOString().slice(0, 10);
    expect(new UsageHistory({ path }).rows()).toEqual([
      {
        day: today,
        model: "gpt-4.1",
        requests: 1,
        userRequests: 1,
        inputTokens: a.usage?.prompt_tokens,
        outputTokens: a.usage?.completion_tokens,
        cachedTokens: 2,
      },
      {
        day: today,
        model: "gpt-4o",
        requests: 1,
        userRequests: 1,
        inputTokens: b.usage?.prompt_tokens,
        outputTokens: b.usage?.completion_tokens,
        cachedTokens: 2,
      },
    ]);

    const cli = await runCli(fake, ["usage", "--history"], {
      env: { HOME: home, COPILOT_GATEWAY_HOME: home },
    });
    expect(cli.code).toBe(0);
    const lines = cli.stdout.split("\n").map((l) => l.replace(/ +/g, " "));
    const [ai, ao, bi, bo] = [
      a.usage?.prompt_tokens ?? 0,
      a.usage?.completion_tokens ?? 0,
      b.usage?.prompt_tokens ?? 0,
      b.usage?.completion_tokens ?? 0,
    ];
    expect(lines).toEqual([
      "Last 30 days, by day:",
      "Day Requests Input Output Cached",
      `${today} 2 ${ai + bi} ${ao + bo} 4`,
      "",
      "By model:",
      "Model Requests Input Output Cached Premium requests",
      `gpt-4.1 1 ${ai} ${ao} 2 0 (1 × 0)`,
      `gpt-4o 1 ${bi} ${bo} 2 0 (1 × 0)`,
      "",
    ]);
  });
});
