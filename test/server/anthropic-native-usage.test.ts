import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GatewayMetrics } from "../../src/server/metrics/gateway-metrics.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway } from "./harness.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

/** The value of one `copilot_gateway_tokens_total` sample, 0 when absent. */
function tokens(text: string, model: string, kind: string): number {
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("copilot_gateway_tokens_total{") &&
        l.includes(`model="${model}"`) &&
        l.includes(`kind="${kind}"`),
    );
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

describe("native Messages route (Claude on Copilot's /v1/messages) reports token usage", () => {
  let gw: Harness;
  let client: Anthropic;
  beforeAll(async () => {
    gw = await startGateway(fake, { runtime: { metrics: new GatewayMetrics() } });
    client = new Anthropic({ baseURL: gw.url, apiKey: "unused", maxRetries: 0 });
  });
  afterAll(() => gw.close());

  const metrics = async () => (await fetch(`${gw.url}/metrics`)).text();
  const model = "claude-sonnet-4.5";

  it("non-streamed: input, output and cached tokens from the answer's usage", async () => {
    const before = await metrics();
    const message = await client.messages.create({
      model,
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 4 });
    const after = await metrics();
    expect(tokens(after, model, "input") - tokens(before, model, "input")).toBe(12);
    expect(tokens(after, model, "output") - tokens(before, model, "output")).toBe(4);
    expect(tokens(after, model, "cached") - tokens(before, model, "cached")).toBe(0);
  });

  it("streamed: counts from message_start and the final message_delta (cache reads and writes are input)", async () => {
    const before = await metrics();
    const stream = client.messages.stream({
      model,
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    const final = await stream.finalMessage();
    // messages-stream.sse: input 94, cache read 621048, cache write 1366, output 97.
    expect(final.usage).toMatchObject({
      input_tokens: 94,
      output_tokens: 97,
      cache_read_input_tokens: 621048,
    });
    const after = await metrics();
    expect(tokens(after, model, "input") - tokens(before, model, "input")).toBe(94 + 621048 + 1366);
    expect(tokens(after, model, "output") - tokens(before, model, "output")).toBe(97);
    expect(tokens(after, model, "cached") - tokens(before, model, "cached")).toBe(621048);
  });
});
