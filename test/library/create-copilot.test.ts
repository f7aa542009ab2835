import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AbortedError,
  type Copilot,
  CopilotApiError,
  createCopilot,
  GatewayError,
  NotSignedInError,
  saveGitHubToken,
  UnknownModelError,
} from "../../src/index.js";
import { makeTestAppKeys } from "../fake-upstream/app-keys.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
const open: Copilot[] = [];

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const home = () => mkdtempSync(join(tmpdir(), "cg-lib-"));

/** createCopilot against the fake, with an environment of our own (never the developer's tokens). */
function copilotWith(
  env: Record<string, string>,
  options: Parameters<typeof createCopilot>[0] = {},
): Copilot {
  const copilot = createCopilot({ homeDir: home(), env: { ...fake.env(), ...env }, ...options });
  open.push(copilot);
  return copilot;
}

/** The GitHub token the last exchange presented. */
const exchangedWith = () =>
  String(fake.requestsTo("/copilot_internal/v2/token").at(-1)?.headers.authorization).replace(/^token /, "");

describe("createCopilot finds the token the way the CLI does", () => {
  const T = (name: string) => `gho_${name.padEnd(36, "0")}`;

  it("the `token` option wins over every variable", async () => {
    const copilot = copilotWith({ COPILOT_GITHUB_TOKEN: T("env") }, { token: T("option") });
    await copilot.models.list();
    expect(exchangedWith()).toBe(T("option"));
  });

  it.each([
    [
      "COPILOT_GITHUB_TOKEN",
      { COPILOT_GITHUB_TOKEN: T("a"), GH_TOKEN: T("b"), GITHUB_TOKEN: T("c") },
      T("a"),
    ],
    ["GH_TOKEN", { GH_TOKEN: T("b"), GITHUB_TOKEN: T("c") }, T("b")],
    ["GITHUB_TOKEN", { GITHUB_TOKEN: T("c") }, T("c")],
  ])("then %s", async (_name, env, expected) => {
    const copilot = copilotWith(env);
    await copilot.models.list();
    expect(exchangedWith()).toBe(expected);
  });

  it("then the stored login of the host (the homeDir option)", async () => {
    const homeDir = home();
    saveGitHubToken({ homeDir, host: "github.com" }, { token: T("stored") });
    const copilot = copilotWith({}, { homeDir });
    await copilot.models.list();
    expect(exchangedWith()).toBe(T("stored"));
  });

  it("the stored login is per host: githubHost picks the tenant's", async () => {
    const homeDir = home();
    saveGitHubToken({ homeDir, host: "github.com" }, { token: T("dotcom") });
    saveGitHubToken({ homeDir, host: "acme.ghe.com" }, { token: T("tenant") });
    const copilot = copilotWith({}, { homeDir, githubHost: "acme.ghe.com" });
    await copilot.models.list();
    expect(exchangedWith()).toBe(T("tenant"));
  });

  it("with no token anywhere, createCopilot throws NotSignedInError at once, before any request", () => {
    expect(() => createCopilot({ homeDir: home(), env: fake.env() })).toThrow(NotSignedInError);
    try {
      createCopilot({ homeDir: home(), env: fake.env() });
    } catch (error) {
      expect(error).toMatchObject({ code: "not_signed_in", status: 401 });
      expect((error as Error).message).toMatch(/copilot-gateway login/);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("makes no network call until used", () => {
    copilotWith({ GH_TOKEN: T("lazy") });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("createCopilot uses the other auth modes of the CLI", () => {
  const ask = (copilot: Copilot) =>
    copilot.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "mode" }] });

  it("a fine-grained PAT (github_pat_) with Copilot Requests, as the token option", async () => {
    const pat = `github_pat_${"1".repeat(22)}_${"a".repeat(59)}`;
    fake.state.pats[pat] = { copilotRequests: true };
    const copilot = copilotWith({}, { token: pat });
    expect((await ask(copilot)).choices[0]?.message.content).toBe("echo: mode");
    expect(fake.requestsTo("/chat/completions").at(-1)?.headers.authorization).toBe(`Bearer ${pat}`);
    expect(await copilot.status()).toMatchObject({ tokenSource: "flag" });
  });

  it("a GitHub App installation billed to the organisation (the githubApp option)", async () => {
    const keys = makeTestAppKeys();
    fake.state.app.publicKey = keys.publicKey;
    const copilot = copilotWith(
      {},
      { githubApp: { appId: 424242, installationId: 1001, repositoryId: 77, privateKey: keys.pkcs1Pem } },
    );
    expect((await ask(copilot)).choices[0]?.message.content).toBe("echo: mode");
    expect(fake.requestsTo("/app/installations/1001/access_tokens")).toHaveLength(1);
    expect(String(fake.requestsTo("/copilot_internal/v2/token").at(-1)?.headers.authorization)).toMatch(
      /^token ghs_/,
    );
  });

  it("the same App from the COPILOT_GATEWAY_GITHUB_APP_* variables, over GH_TOKEN", async () => {
    const keys = makeTestAppKeys();
    fake.state.app.publicKey = keys.publicKey;
    const copilot = copilotWith({
      GH_TOKEN: "gho_ignored0000000000000000000000000000000",
      COPILOT_GATEWAY_GITHUB_APP_ID: "424242",
      COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1001",
      COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "77",
      COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: keys.pemFile,
    });
    await ask(copilot);
    expect(fake.requestsTo("/app/installations/1001/access_tokens")).toHaveLength(1);
  });

  it("a ready Copilot token (copilotToken and copilotApiUrl): used as is, never exchanged", async () => {
    const issued = fake.issueCopilotToken();
    const copilot = copilotWith({}, { copilotToken: issued.token, copilotApiUrl: fake.url });
    expect((await ask(copilot)).choices[0]?.message.content).toBe("echo: mode");
    expect(fake.requestsTo("/copilot_internal/v2/token")).toHaveLength(0);
    expect(fake.requestsTo("/chat/completions").at(-1)?.headers.authorization).toBe(`Bearer ${issued.token}`);
  });

  it("the same from GITHUB_COPILOT_API_TOKEN and COPILOT_API_URL", async () => {
    const issued = fake.issueCopilotToken();
    const copilot = copilotWith({ GITHUB_COPILOT_API_TOKEN: issued.token, COPILOT_API_URL: fake.url });
    await ask(copilot);
    expect(fake.requestsTo("/copilot_internal/v2/token")).toHaveLength(0);
  });

  it("a classic PAT (ghp_) is refused at once, before any request, saying what works instead", () => {
    expect(() => copilotWith({}, { token: `ghp_${"x".repeat(36)}` })).toThrow(/fine-grained/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("the methods", () => {
  let copilot: Copilot;
  beforeEach(() => {
    copilot = copilotWith({ COPILOT_GITHUB_TOKEN: "gho_methods000000000000000000000000000000" });
  });

  it("models.list() returns the parsed catalogue", async () => {
    const models = await copilot.models.list();
    expect(models.map((m) => m.id)).toEqual(expect.arrayContaining(["gpt-4.1", "claude-sonnet-4.5"]));
    expect(models.find((m) => m.id === "gpt-4.1")?.capabilities.type).toBe("chat");
  });

  it("chat.completions.create: a completion, and a stream read with for await", async () => {
    const completion = await copilot.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBe("echo: hi");

    const stream = await copilot.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("echo: one two three");
  });

  it("responses.create, streamed and not", async () => {
    const response = await copilot.responses.create({ model: "gpt-5-mini", input: "ping" });
    expect(JSON.stringify(response.output)).toContain("echo: ping");
    const stream = await copilot.responses.create({ model: "gpt-5-mini", input: "ping", stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(String(event.type));
    expect(types.at(-1)).toBe("response.completed");
  });

  it("messages.create: Claude on the native Messages API, other models translated", async () => {
    const native = await copilot.messages.create({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 64,
      messages: [{ role: "user", content: "hello" }],
    });
    expect(native).toMatchObject({ type: "message", content: [{ type: "text", text: "echo: hello" }] });
    expect(fake.requestsTo("/v1/messages").at(-1)?.body).toMatchObject({ model: "claude-sonnet-4.5" });

    const translated = await copilot.messages.create({
      model: "gpt-4.1",
      max_tokens: 64,
      messages: [{ role: "user", content: "hola" }],
    });
    expect(translated).toMatchObject({
      type: "message",
      content: [{ type: "text", text: "echo: hola" }],
      stop_reason: "end_turn",
    });

    const events: string[] = [];
    for await (const event of await copilot.messages.create({
      model: "claude-sonnet-4.5",
      max_tokens: 64,
      messages: [{ role: "user", content: "stream" }],
      stream: true,
    }))
      events.push(String(event.type));
    expect(events[0]).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
  });

  it("embeddings.create", async () => {
    const result = await copilot.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect((result.data as unknown[]).length).toBe(2);
  });

  it("usage() and limits()", async () => {
    const usage = await copilot.usage();
    expect(usage.copilot_plan).toBeDefined();
    const limits = await copilot.limits();
    expect(limits.observedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const reading of Object.values(limits.quotas)) {
      expect(reading.percentLeft).toBeGreaterThanOrEqual(0);
      expect(reading.percentLeft).toBeLessThanOrEqual(100);
    }
  });
});

describe("errors are the typed classes, with code, status and request id", () => {
  it("Copilot's error answer: CopilotApiError with Copilot's code, status and x-request-id", async () => {
    const copilot = copilotWith(
      { GH_TOKEN: "gho_errors00000000000000000000000000000000" },
      { maxRetries: 0 },
    );
    await copilot.models.list();
    fake.state.copilot.failures.push({
      status: 402,
      body: { error: { message: "quota exceeded", code: "quota_exceeded" } },
      headers: { "x-request-id": "req-402-abc" },
      path: "/chat/completions",
    });
    const error = await copilot.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopilotApiError);
    expect(error).toMatchObject({ code: "quota_exceeded", status: 402, requestId: "req-402-abc" });
  });

  it("an unknown model: UnknownModelError naming close matches", async () => {
    const copilot = copilotWith({ GH_TOKEN: "gho_errors00000000000000000000000000000000" });
    const error = await copilot.chat.completions
      .create({ model: "gpt-4-1-typo", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownModelError);
    expect(error).toMatchObject({ code: "model_not_found", status: 404 });
  });

  it("maxRetries: 0 fails on the first 503; the default retries it", async () => {
    const noRetry = copilotWith(
      { GH_TOKEN: "gho_retry000000000000000000000000000000000" },
      { maxRetries: 0 },
    );
    await noRetry.models.list();
    fake.state.copilot.failures.push({
      status: 503,
      body: { error: { message: "busy" } },
      headers: { "retry-after": "0" },
    });
    await expect(
      noRetry.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 503 });

    const retrying = copilotWith({ GH_TOKEN: "gho_retry000000000000000000000000000000000" });
    await retrying.models.list();
    fake.state.copilot.failures.push({
      status: 503,
      body: { error: { message: "busy" } },
      headers: { "retry-after": "0" },
    });
    const ok = await retrying.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "x" }],
    });
    expect(ok.choices[0]?.message.content).toBe("echo: x");
  });

  it("an AbortSignal per call: an aborted stream fails with AbortedError and the upstream request ends", async () => {
    const copilot = copilotWith({ GH_TOKEN: "gho_abort000000000000000000000000000000000" });
    fake.state.copilot.stallAfterChunks = 1;
    const controller = new AbortController();
    const stream = await copilot.chat.completions.create(
      { model: "gpt-4.1", messages: [{ role: "user", content: "a b c d e" }], stream: true },
      { signal: controller.signal },
    );
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.choices[0]?.delta.content ?? "");
        if (seen.length === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error).toMatchObject({ code: "aborted" });
  });

  it("timeouts.idleMs: a stream that goes quiet fails with TimeoutError (code timeout)", async () => {
    const copilot = copilotWith(
      { GH_TOKEN: "gho_quiet000000000000000000000000000000000" },
      { timeouts: { idleMs: 200 } },
    );
    fake.state.copilot.stallAfterChunks = 1;
    const stream = await copilot.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "a b c" }],
      stream: true,
    });
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "timeout", status: 504 });
    fake.releaseStalls();
  });

  it("after close(), calls fail with the code `closed`", async () => {
    const copilot = copilotWith({ GH_TOKEN: "gho_closed00000000000000000000000000000000" });
    await copilot.close();
    const error = await copilot.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "closed" });
  });
});

describe("a long-lived instance keeps its token fresh", () => {
  it("Copilot tokens refreshed many times over while calls run: zero failed calls", async () => {
    // Each token lives 2 s and asks to be refreshed after 1 s: the background refresh and the on-demand one
    // replace it several times while calls keep going, streamed and not.
    fake.state.exchange.refreshIn = 1;
    fake.state.exchange.lifetime = 2;
    const copilot = copilotWith({ GH_TOKEN: "gho_longlived000000000000000000000000000000" });
    let calls = 0;
    const failures: unknown[] = [];
    while (fake.exchanges < 5) {
      try {
        if (calls % 2 === 0) {
          const answer = await copilot.chat.completions.create({
            model: "gpt-4.1",
            messages: [{ role: "user", content: `n${calls}` }],
          });
          expect(answer.choices[0]?.message.content).toBe(`echo: n${calls}`);
        } else {
          let text = "";
          for await (const c of await copilot.chat.completions.create({
            model: "gpt-4.1",
            messages: [{ role: "user", content: `n${calls}` }],
            stream: true,
          }))
            text += c.choices[0]?.delta.content ?? "";
          expect(text).toBe(`echo: n${calls}`);
        }
      } catch (error) {
        failures.push(error);
      }
      calls++;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(5);
    // No call ever reached Copilot with an expired token (each would have been a 401 and a retry).
    expect(fake.requestsTo("/chat/completions").length).toBe(calls);
  });
});
