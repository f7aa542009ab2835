import { connect, type Socket } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GATEWAY_OPTIONS } from "../../src/server/options.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway, waitFor } from "../server/harness.js";

const fake = new FakeUpstream();
let gw: Harness;
const BUDGET = 1024 * 1024;

beforeAll(async () => {
  await fake.start();
  gw = await startGateway(fake, { bodyBudgetBytes: BUDGET });
});
afterAll(async () => {
  await gw.close();
  await fake.stop();
});

/** A chat body of about `bytes` bytes. */
const bigChat = (bytes: number) =>
  JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "x".repeat(bytes) }] });

/** Send the head and the first half of a body, and hold the rest: its bytes stay charged while it uploads. */
function halfSent(url: string, body: string): { socket: Socket; finish(): Promise<string> } {
  const { port } = new URL(url);
  const socket = connect(Number(port), "127.0.0.1");
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`,
  );
  let answer = "";
  socket.on("data", (d: Buffer) => {
    answer += d.toString();
  });
  const ended = new Promise<string>((resolve) => socket.on("end", () => resolve(answer)));
  return {
    socket,
    finish: async () => {
      socket.write(body.slice(half));
      return ended;
    },
  };
}

describe("memory budget of request bodies in flight", () => {
  it("is 64 MB by default", () => {
    expect(DEFAULT_GATEWAY_OPTIONS.bodyBudgetBytes).toBe(64 * 1024 * 1024);
  });

  it("answers 503 with Retry-After, in each route's shape, beyond the budget; then recovers", async () => {
    const held = halfSent(gw.url, bigChat(800_000));
    await waitFor(() => gw.server.ctx.bodyBudget.inFlightBytes >= 800_000, "the first body to be charged");

    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const content = "y".repeat(400_000);
    const error = (await openai.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe("gateway_busy");
    expect(error.headers?.get("retry-after")).toBe("1");
    // Its body was left unread: the client must not reuse the connection (Node 24's fetch then failed with EPIPE).
    expect(error.headers?.get("connection")).toBe("close");
    expect(error.message).toBe(
      "503 The gateway is already holding 1 MB of request bodies in flight (its memory budget); retry in a moment.",
    );

    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: "unused", maxRetries: 0 });
    const aError = (await anthropic.messages
      .create({ model: "claude-sonnet-4.5", max_tokens: 8, messages: [{ role: "user", content }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(aError.status).toBe(503);
    expect((aError.error as { error: { type: string } }).error.type).toBe("overloaded_error");
    expect(aError.headers?.get("retry-after")).toBe("1");

    // A chunked body (no Content-Length) is metered as it arrives.
    const chunked = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([bigChat(400_000)]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(503);
    expect(chunked.headers.get("retry-after")).toBe("1");

    expect(await held.finish()).toMatch(/^HTTP\/1\.1 200 /);
    await waitFor(() => gw.server.ctx.bodyBudget.inFlightBytes === 0, "the budget to be released");
    const ok = await openai.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content }],
    });
    expect(ok.choices[0]?.message.content).toBeTruthy();
  });
});
