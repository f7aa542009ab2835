import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { fakeSession, startGateway, waitFor } from "./harness.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const ask = (client: OpenAI, content = "hi") =>
  client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content }] });

describe("client disconnect", () => {
  it("aborts the upstream request as soon as the client goes away", async () => {
    const gw = await startGateway(fake);
    try {
      // Upstream goes silent after three chunks: only an abort on the client's departure can end its request.
      fake.state.copilot.streamChunks = 200;
      fake.state.copilot.stallAfterChunks = 3;
      const controller = new AbortController();
      const stream = await gw
        .client()
        .chat.completions.create(
          { model: "gpt-4.1", messages: [{ role: "user", content: "a long answer please" }], stream: true },
          { signal: controller.signal },
        );
      let received = 0;
      // The SDK ends the iteration quietly when its own signal aborts.
      for await (const _ of stream) {
        // The role chunk and three content chunks, then silence.
        if (++received === 4) controller.abort();
      }
      expect(received).toBe(4);
      await waitFor(() => fake.abortedRequests.length === 1, "the fake to see the upstream request aborted");
      expect(fake.abortedRequests[0]?.path).toBe("/chat/completions");
      await waitFor(() => gw.runtime.log.recent().length === 1, "the log entry");
      expect(gw.runtime.log.recent()[0]).toMatchObject({ aborted: true, stream: true });
    } finally {
      await gw.close();
    }
  });
});

describe("client disconnect on /v1/responses", () => {
  it("aborts the upstream Responses stream as soon as the client goes away", async () => {
    const gw = await startGateway(fake);
    try {
      fake.state.copilot.stallAfterChunks = 2;
      const controller = new AbortController();
      const stream = await gw.client().responses.create(
        { model: "gpt-5.1-codex", input: "a long answer please", stream: true },
        {
          signal: controller.signal,
        },
      );
      let received = 0;
      for await (const _ of stream) {
        // created, in_progress, the item and part openings and two deltas, then silence.
        if (++received === 6) controller.abort();
      }
      expect(received).toBe(6);
      await waitFor(() => fake.abortedRequests.length === 1, "the fake to see the upstream request aborted");
      expect(fake.abortedRequests[0]?.path).toBe("/responses");
    } finally {
      await gw.close();
    }
  });
});

describe("client disconnect on a Responses-only model through chat", () => {
  it("aborts the upstream /responses stream behind a translated chat stream", async () => {
    const gw = await startGateway(fake);
    try {
      // Upstream goes silent half-way: only an abort on the client's departure can end its request.
      fake.state.copilot.stallAfterChunks = 2;
      const controller = new AbortController();
      const stream = await gw.client().chat.completions.create(
        {
          model: "gpt-5.1-codex",
          messages: [{ role: "user", content: "a long answer please" }],
          stream: true,
        },
        { signal: controller.signal },
      );
      for await (const _ of stream) controller.abort();
      await waitFor(() => fake.abortedRequests.length === 1, "the fake to see the upstream request aborted");
      expect(fake.abortedRequests[0]?.path).toBe("/responses");
    } finally {
      await gw.close();
    }
  });
});

describe("Copilot token", () => {
  it("is refreshed ahead of expiry while serving, with zero failed requests", async () => {
    // Tokens live 3 s and ask for a refresh after 2 s: the manager refreshes at 1 s (half the announced time).
    fake.state.exchange.refreshIn = 2;
    fake.state.exchange.lifetime = 3;
    const gw = await startGateway(fake);
    try {
      const client = gw.client();
      let failures = 0;
      let done = 0;
      // Serve until three refreshes followed the first exchange (a condition, not a duration); the deadline only
      // bounds a broken refresh.
      const refreshed = () => fake.exchanges >= 4;
      const deadline = Date.now() + 20_000;
      const worker = async () => {
        while (!refreshed() && Date.now() < deadline) {
          try {
            await ask(client);
            done++;
          } catch {
            failures++;
          }
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      expect(fake.exchanges).toBeGreaterThanOrEqual(4);
      expect(failures).toBe(0);
      expect(done).toBeGreaterThan(0);
      // Each answer took exactly one upstream call: no request met an expired token (a 401 and a retry).
      expect(fake.requestsTo("/chat/completions").length).toBe(done);
    } finally {
      await gw.close();
    }
  });

  it("heals a token that died early with one refresh and a retry", async () => {
    const gw = await startGateway(fake);
    try {
      await ask(gw.client());
      const before = fake.exchanges;
      fake.expireCopilotTokens();
      const completion = await ask(gw.client(), "after expiry");
      expect(completion.choices[0]?.message.content).toBe("echo: after expiry");
      expect(fake.exchanges).toBe(before + 1);
    } finally {
      await gw.close();
    }
  });
});

describe("not signed in", () => {
  it("starts, answers a clear 401 and becomes ready once a session is set", async () => {
    const gw = await startGateway(fake, { signedIn: false });
    try {
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${gw.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: "not_ready", reason: "not_signed_in" });
      const error = await ask(gw.client()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("not_signed_in");
      expect((error as Error).message).toContain("copilot-gateway login");
      expect((error as Error).message).toContain(`${gw.url}/`);

      gw.runtime.setSession(fakeSession(fake));
      const completion = await ask(gw.client(), "signed in now");
      expect(completion.choices[0]?.message.content).toBe("echo: signed in now");
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("stops accepting but lets an in-flight stream finish", async () => {
    const gw = await startGateway(fake);
    // The stream is held half-way until the gateway has stopped listening, so it is surely in flight then.
    fake.state.copilot.streamChunks = 20;
    fake.state.copilot.stallAfterChunks = 5;
    const stream = await gw.client().chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "finish me please" }],
      stream: true,
    });
    const reading = (async () => {
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      return text;
    })();
    await waitFor(() => fake.stalledStreams.size === 1, "the stream to be half-way");
    const closing = gw.server.close(5000);
    await waitFor(() => !gw.server.app.server.listening, "the listener to close");
    await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
    fake.releaseStalls();
    // The fake pads short texts with "." to make 20 chunks; all of them must arrive.
    expect(await reading).toMatch(/^echo: finish me please\.*$/);
    expect((await reading).length).toBeGreaterThanOrEqual(20);
    await closing;
    expect(fake.abortedRequests).toHaveLength(0);
    await gw.runtime.session()?.dispatcher.close();
  });
});
