import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/config/settings.js";
import { webPageRoutes } from "../../src/server/routes/page/index.js";
import { redactSecrets } from "../../src/util/redact.js";
import type { PageStateView } from "../../src/web/page-types.js";
import { runCli, tempHomes } from "../cli/cli-run.js";
import { ECHO_AUTHORIZATION } from "../fake-upstream/http-kit.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import { type Harness, startGateway } from "../server/harness.js";

const GITHUB_TOKEN = "gho_test0000000000000000000000000000000000"; // the harness session's token

const fake = new FakeUpstream();
let gw: Harness;
let home: string;

beforeAll(async () => {
  await fake.start();
  home = mkdtempSync(join(tmpdir(), "cg-redact-"));
});
afterAll(async () => {
  await fake.stop();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(async () => {
  fake.reset();
  const env = { ...fake.env(), COPILOT_GATEWAY_HOME: home };
  gw = await startGateway(fake, { verbose: true, routes: [webPageRoutes(resolveSettings({}, env), env)] });
});
afterEach(() => gw.close());

/** Every Copilot token the fake issued, and the GitHub token: none may appear in anything we got back. */
function expectNoSecret(text: string): void {
  expect(text).not.toContain(GITHUB_TOKEN);
  expect(text).not.toMatch(/tid=fake[0-9a-f]/);
  for (const token of fake.issued.keys()) expect(text).not.toContain(token);
}

/** An upstream that echoes the Authorization header in its error text, on every retry. */
function echoingFailures(status = 503, times = 5): void {
  for (let i = 0; i < times; i++)
    fake.state.copilot.failures.push({
      status,
      body: { error: { message: `proxy refused, request had Authorization: ${ECHO_AUTHORIZATION}` } },
    });
}

describe("one redaction wherever a message leaves the process", () => {
  it("masks the echoed Copilot token in OpenAI error bodies (was 'Bearer tid=…')", async () => {
    // Warm the token so the echo carries a real Copilot token.
    await gw.client().models.list();
    echoingFailures();
    const error = (await gw
      .client()
      .chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e)) as Error & { status: number };
    expect(error.status).toBe(503);
    expect(error.message).toContain("Authorization: Bearer ****");
    expectNoSecret(error.message);
    expect(fake.requestsTo("/chat/completions").length).toBeGreaterThan(0);
    expectNoSecret(gw.logLines.join("\n"));
  });

  it("masks it in Anthropic error bodies", async () => {
    await gw.client().models.list();
    echoingFailures();
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: "unused", maxRetries: 0 });
    const error = (await anthropic.messages
      .create({ model: "claude-sonnet-4.5", max_tokens: 16, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e)) as Error & { status: number };
    expect(error.status).toBe(503);
    expect(error.message).toContain("Bearer ****");
    expectNoSecret(error.message);
  });

  it("masks it in stream error events, chat and Anthropic", async () => {
    fake.state.copilot.midStreamErrorAfter = 2;
    fake.state.copilot.midStreamErrorMessage = `stream died; Authorization: ${ECHO_AUTHORIZATION}`;
    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4.1", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    const chatText = await chat.text();
    expect(chatText).toContain("stream died; Authorization: Bearer ****");
    expectNoSecret(chatText);
    const messages = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // A model served through the chat translation: its error event is written by the gateway.
      body: JSON.stringify({
        model: "gpt-4.1",
        max_tokens: 16,
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    });
    const messagesText = await messages.text();
    expect(messagesText).toContain("event: error");
    expect(messagesText).toContain("Authorization: Bearer ****");
    expectNoSecret(messagesText);
  });

  it("masks a token upstream split across two chunks of a relayed error event: Responses and native Messages", async () => {
    fake.state.copilot.midStreamErrorAfter = 2;
    fake.state.copilot.midStreamErrorMessage = `stream died; Authorization: ${ECHO_AUTHORIZATION}`;
    // The fake cuts the error event in the middle of the echoed Copilot token and sends the halves 50 ms apart.
    fake.state.copilot.midStreamErrorSplit = true;
    const post = async (path: string, body: object) => {
      const res = await fetch(`${gw.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...body, stream: true }),
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    const errorEvent = (text: string) => {
      const block = text.split("\n\n").find((b) => b.startsWith("event: error\n"));
      return JSON.parse(block?.split("\ndata: ")[1] ?? "null") as Record<string, unknown>;
    };
    const responses = await post("/v1/responses", { model: "gpt-5.1-codex", input: "x" });
    expect(errorEvent(responses)).toMatchObject({
      type: "error",
      code: "server_error",
      message: "stream died; Authorization: Bearer ****",
    });
    expectNoSecret(responses);
    const messages = await post("/v1/messages", {
      model: "claude-sonnet-4.5",
      max_tokens: 16,
      messages: [{ role: "user", content: "x" }],
    });
    expect(fake.requestsTo("/v1/messages")).toHaveLength(1);
    expect(errorEvent(messages)).toEqual({
      type: "error",
      error: { type: "api_error", message: "stream died; Authorization: Bearer ****" },
    });
    expectNoSecret(messages);
  });

  it("masks a GitHub token echoed by a failing exchange: API answer, page and log", async () => {
    fake.state.exchange.failure = "server_error";
    fake.state.exchange.errorMessage = `exchange failed for ${ECHO_AUTHORIZATION}`;
    fake.expireCopilotTokens(); // the gateway exchanged at start; the next call gets a 401 and exchanges again
    const api = await fetch(`${gw.url}/v1/models`);
    const body = await api.text();
    expect(api.status).toBe(502);
    expect(body).toContain("exchange failed for token gho_****");
    expectNoSecret(body);
    const page = await fetch(`${gw.url}/api/page/models`);
    const pageBody = await page.text();
    expect(pageBody).toContain("gho_****");
    expectNoSecret(pageBody);
    const state = (await (await fetch(`${gw.url}/api/page/state`)).json()) as PageStateView;
    expect(state.copilotToken?.problem).toContain("gho_****");
    expectNoSecret(JSON.stringify(state));
    gw.runtime.writeLog(`a log line naming Bearer ${GITHUB_TOKEN}`);
    expect(gw.logLines.at(-1)).toBe("a log line naming Bearer ****");
    expectNoSecret(gw.logLines.join("\n"));
  });

  it("masks it in the CLI's one error line", async () => {
    fake.state.exchange.failure = "server_error";
    fake.state.exchange.errorMessage = `exchange failed for ${ECHO_AUTHORIZATION}`;
    const { home: cliHome, state } = tempHomes();
    try {
      const result = await runCli(["models"], {
        ...fake.env(),
        HOME: cliHome,
        COPILOT_GATEWAY_HOME: state,
        GH_TOKEN: GITHUB_TOKEN,
      });
      expect(result.code).toBe(7);
      expect(result.stderr).toContain("exchange failed for token gho_****");
      expectNoSecret(result.stderr + result.stdout);
    } finally {
      rmSync(cliHome, { recursive: true, force: true });
    }
  });
});

describe("redactSecrets", () => {
  it("masks every token kind but leaves help text readable", () => {
    expect(redactSecrets("Authorization: Bearer tid=abc;exp=1;sku=x;8:deadbeef")).toBe(
      "Authorization: Bearer ****",
    );
    expect(redactSecrets("token ghp_abcdefghij1234 and github_pat_11ABCDEFG0123")).toBe(
      "token ghp_**** and github_pat_****",
    );
    expect(redactSecrets("Bearer sk-live-0123456789abcdef")).toBe("Bearer ****");
    expect(redactSecrets("send `Authorization: Bearer <key>` or Bearer KEY")).toBe(
      "send `Authorization: Bearer <key>` or Bearer KEY",
    );
  });
});

describe("the page after a forced 401 and a failing exchange", () => {
  it("names the problem instead of {ready:false, problem:null}", async () => {
    await gw.client().models.list();
    fake.expireCopilotTokens();
    fake.state.exchange.failure = "server_error";
    const error = (await gw
      .client()
      .chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e)) as { status: number };
    expect(error.status).toBe(502);
    const state = (await (await fetch(`${gw.url}/api/page/state`)).json()) as PageStateView;
    expect(state.copilotToken?.ready).toBe(false);
    expect(state.copilotToken?.problem).toBe(
      "The Copilot token exchange for the token from --github-token failed with HTTP 502 (Server Error); retry in a moment.",
    );
  });
});
