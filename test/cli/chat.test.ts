import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { eventually, runCli } from "../copilot/helpers.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

type Body = { model: string; stream?: boolean; messages: { role: string; content: string }[] };
const chatBodies = () => fake.requestsTo("/chat/completions").map((r) => r.body as Body);

describe("copilot-gateway chat", () => {
  it("streams the answer of the catalogue's default model to stdout", async () => {
    const { code, stdout, stderr } = await runCli(fake, ["chat", "hello", "there"]);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "echo: hello there\n", stderr: "" });
    const [body] = chatBodies();
    expect(body).toMatchObject({
      model: "gpt-4.1",
      stream: true,
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(fake.requestsTo("/chat/completions")[0]?.headers["x-initiator"]).toBe("user");
  });

  it("reads the prompt from piped stdin, joined after an argument prompt", async () => {
    const piped = await runCli(fake, ["chat"], { input: "from stdin\n" });
    expect(piped.stdout).toBe("echo: from stdin\n");
    const both = await runCli(fake, ["chat", "summarise:"], { input: "the file\n" });
    expect(both.code).toBe(0);
    expect(chatBodies()[1]?.messages).toEqual([{ role: "user", content: "summarise:\n\nthe file" }]);
  });

  it("sends --system and --model, and --no-stream asks for one answer", async () => {
    const { code, stdout } = await runCli(fake, [
      "chat",
      "--no-stream",
      "-m",
      "gpt-4o",
      "--system",
      "be brief",
      "hi",
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe("echo: hi\n");
    expect(chatBodies()[0]).toMatchObject({
      model: "gpt-4o",
      stream: false,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hi" },
      ],
    });
  });

  it("asks a model that cannot stream without streaming", async () => {
    fake.state.copilot.extraModels.push({
      id: "no-stream-model",
      capabilities: { type: "chat", supports: { streaming: false } },
    });
    const { code, stdout } = await runCli(fake, ["chat", "-m", "no-stream-model", "hi"]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: "echo: hi\n" });
    expect(chatBodies()[0]).toMatchObject({ model: "no-stream-model", stream: false });
  });

  it("--json prints the final response object, streamed or not", async () => {
    const streamed = JSON.parse((await runCli(fake, ["chat", "--json", "hi"])).stdout);
    expect(streamed).toMatchObject({
      object: "chat.completion",
      model: "gpt-4.1",
      choices: [{ index: 0, message: { role: "assistant", content: "echo: hi" }, finish_reason: "stop" }],
      usage: { total_tokens: expect.any(Number) },
    });
    const whole = JSON.parse((await runCli(fake, ["chat", "--json", "--no-stream", "hi"])).stdout);
    expect(whole.choices[0].message.content).toBe("echo: hi");
  });

  it("chats with a Responses-only model through the translation", async () => {
    const { code, stdout } = await runCli(fake, ["chat", "-m", "gpt-5.1-codex", "hi codex"]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: "echo: hi codex\n" });
    expect(fake.requestsTo("/responses")).toHaveLength(1);
  });

  it("names an unknown model with close matches (exit 2)", async () => {
    const { code, stdout, stderr } = await runCli(fake, ["chat", "-m", "claude-sonet-4.5", "hi"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      'error: Unknown model "claude-sonet-4.5" for this Copilot seat. Did you mean "claude-sonnet-4.5"? Run `copilot-gateway models` to list the available ones.\n',
    );
  });

  it("refuses a model that is not a chat model (exit 2), before asking Copilot", async () => {
    const embeddings = await runCli(fake, ["chat", "-m", "text-embedding-3-small", "hi"]);
    expect(embeddings).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'error: "text-embedding-3-small" is an embeddings model, not a chat model; run `copilot-gateway models` to pick one.\n',
    });
    const completion = await runCli(fake, ["chat", "-m", "gpt-41-copilot", "hi"]);
    expect(completion.stderr).toBe(
      'error: "gpt-41-copilot" is a completion model, not a chat model; run `copilot-gateway models` to pick one.\n',
    );
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0);
  });

  it("says a model awaits consent and how to enable it", async () => {
    const { code, stderr } = await runCli(fake, ["chat", "-m", "fake-consent-model", "hi"]);
    expect(code).toBe(7);
    expect(stderr).toBe(
      'error: The model "fake-consent-model" needs its terms accepted first: run `copilot-gateway models enable fake-consent-model`.\n',
    );
  });

  it("reports a 402 with the reset date, a mid-stream error, and 5xx after retries, one line each", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 402,
      body: { error: { message: "You have no quota", code: "quota_exceeded" } },
    });
    const quota = await runCli(fake, ["chat", "hi"]);
    expect(quota.code).toBe(7);
    expect(quota.stderr).toBe(
      "error: Your Copilot quota is exhausted (You have no quota); it resets on 2026-10-01. See `copilot-gateway usage`.\n",
    );

    fake.reset();
    fake.state.copilot.midStreamErrorAfter = 2;
    fake.state.copilot.chunkDelayMs = 10;
    const mid = await runCli(fake, ["chat", "hello", "world"]);
    expect(mid.code).toBe(7);
    // The partial answer ends its line, so the error on stderr starts a line of its own on a terminal.
    expect(mid.stdout).toMatch(/^echo: .+\n$/);
    expect(mid.stderr).toBe(
      "error: Copilot failed mid-answer (server_error: Upstream model failed mid-stream); retry the request.\n",
    );

    fake.reset();
    for (let i = 0; i < 3; i++)
      fake.state.copilot.failures.push({ path: "/chat/completions", status: 503, body: "busy" });
    const busy = await runCli(fake, ["chat", "hi"]);
    expect(busy.code).toBe(7);
    expect(busy.stderr).toBe("error: Copilot is unavailable (HTTP 503: busy); retry in a moment.\n");
    expect(fake.requestsTo("/chat/completions")).toHaveLength(3);
  });

  it("reports a disabled model, content filtering (422) and a refused client version (466)", async () => {
    const disabled = await runCli(fake, ["chat", "-m", "fake-disabled-model", "hi"]);
    expect(disabled).toMatchObject({ code: 7, stdout: "" });
    expect(disabled.stderr).toBe(
      'error: The model "fake-disabled-model" is disabled by your organization\'s Copilot policy; ask an admin to enable it, or pick another model.\n',
    );
    fake.state.copilot.failures.push(
      {
        path: "/chat/completions",
        status: 422,
        body: { error: { message: "filtered", code: "content_filter" } },
      },
      { path: "/chat/completions", status: 466, body: "bad client version" },
    );
    const filtered = await runCli(fake, ["chat", "hi"]);
    expect(filtered.code).toBe(7);
    expect(filtered.stderr).toBe(
      "error: Copilot's content filter blocked this request (filtered); rephrase the prompt.\n",
    );
    const old = await runCli(fake, ["chat", "hi"]);
    expect(old.code).toBe(7);
    expect(old.stderr).toBe(
      "error: Copilot no longer supports this client version (bad client version); update copilot-gateway or set COPILOT_GATEWAY_EDITOR_PLUGIN_VERSION.\n",
    );
  });

  it("heals a 401 from Copilot with one fresh token exchange", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 401,
      body: { error: { message: "unauthorized: token expired", code: "unauthorized" } },
    });
    const { code, stdout } = await runCli(fake, ["chat", "hi"]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: "echo: hi\n" });
    expect(fake.exchanges).toBe(2);
  });

  it("a 401 that survives a fresh token says to check the sign-in (one exchange retried, no loop)", async () => {
    for (let i = 0; i < 2; i++)
      fake.state.copilot.failures.push({
        path: "/chat/completions",
        status: 401,
        body: { error: { message: "unauthorized: token expired", code: "unauthorized" } },
      });
    const { code, stderr } = await runCli(fake, ["chat", "hi"]);
    expect(code).toBe(7);
    expect(stderr).toBe(
      "error: Copilot refused a freshly exchanged token (unauthorized: token expired); run `copilot-gateway status` to check the sign-in, then retry.\n",
    );
    expect(fake.requestsTo("/chat/completions")).toHaveLength(2);
    expect(fake.exchanges).toBe(2);
  });

  it("stops on Ctrl-C mid-answer with exit 130", async () => {
    fake.state.copilot.streamChunks = 200;
    fake.state.copilot.chunkDelayMs = 20;
    const home = mkdtempSync(join(tmpdir(), "cg-int-"));
    const child = spawn(process.execPath, ["bin/copilot-gateway.js", "chat", "a long answer"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        COPILOT_GATEWAY_HOME: home,
        COPILOT_GITHUB_TOKEN: "gho_int000000000000000000000000000000000000",
        ...fake.env(),
      },
    });
    child.stdin.end();
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.once("data", () => child.kill("SIGINT"));
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(130);
    expect(stderr).toBe("Cancelled.\n");
    await eventually(() => fake.abortedRequests.length > 0);
    expect(fake.abortedRequests.map((r) => r.path)).toContain("/chat/completions");
  });

  it("stops quietly when the reader goes away (`chat … | head`)", async () => {
    fake.state.copilot.streamChunks = 400;
    fake.state.copilot.chunkDelayMs = 5;
    const home = mkdtempSync(join(tmpdir(), "cg-pipe-"));
    const child = spawn(process.execPath, ["bin/copilot-gateway.js", "chat", "a long answer"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        COPILOT_GATEWAY_HOME: home,
        COPILOT_GITHUB_TOKEN: "gho_pipe00000000000000000000000000000000000",
        ...fake.env(),
      },
    });
    child.stdin.end();
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise((r) => child.on("close", r));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    await eventually(() => fake.abortedRequests.length > 0);
    expect(fake.abortedRequests.map((r) => r.path)).toContain("/chat/completions");
  });

  it("waits out a 429's Retry-After, then answers", async () => {
    fake.state.copilot.failures.push({
      path: "/chat/completions",
      status: 429,
      body: { error: { message: "rate limited", code: "user_model_rate_limited" } },
      headers: { "retry-after": "1" },
    });
    const { code, stdout } = await runCli(fake, ["chat", "hi"]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: "echo: hi\n" });
    expect(fake.requestsTo("/chat/completions")).toHaveLength(2);
  });

  it("fails with exit 2 when there is no prompt and stdin is not a terminal", async () => {
    const { code, stderr } = await runCli(fake, ["chat"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: No prompt: /);
  });

  it("is an interactive multi-turn session on a terminal", async () => {
    const home = mkdtempSync(join(tmpdir(), "cg-tty-"));
    // `script` gives the CLI a real pseudo-terminal; keystrokes are fed with pauses so each turn finishes.
    const child = spawn("script", ["-qfec", "node bin/copilot-gateway.js chat", "/dev/null"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        COPILOT_GATEWAY_HOME: home,
        COPILOT_GITHUB_TOKEN: "gho_tty000000000000000000000000000000000000",
        NO_COLOR: "1",
        ...fake.env(),
      },
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const waitFor = async (text: string, count: number) => {
      for (let i = 0; i < 200 && out.split(text).length - 1 < count; i++)
        await new Promise((r) => setTimeout(r, 25));
    };
    await waitFor("you> ", 1);
    child.stdin.write("first question\r");
    await waitFor("you> ", 2);
    child.stdin.write("second one\r");
    await waitFor("you> ", 3);
    child.stdin.write("\u0004");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
    expect(out).toContain("Chatting with gpt-4.1.");
    expect(out).toContain("echo: first question");
    const bodies = chatBodies();
    expect(bodies).toHaveLength(2);
    expect(bodies[1]?.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "first question"],
      ["assistant", "echo: first question"],
      ["user", "second one"],
    ]);
    expect(fake.requestsTo("/chat/completions").map((r) => r.headers["x-initiator"])).toEqual([
      "user",
      "user",
    ]);
  });

  it("handles /help, /model, /clear and /exit itself, never sending them to the model", async () => {
    const home = mkdtempSync(join(tmpdir(), "cg-tty-"));
    const child = spawn("script", ["-qfec", "node bin/copilot-gateway.js chat", "/dev/null"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        COPILOT_GATEWAY_HOME: home,
        COPILOT_GITHUB_TOKEN: "gho_tty000000000000000000000000000000000000",
        NO_COLOR: "1",
        ...fake.env(),
      },
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    let prompts = 1;
    // Each line waits for its prompt: a line typed while an answer streams would not be a question's answer.
    const next = async (line: string) => {
      await vi.waitFor(() => expect(out.split("you> ").length - 1).toBeGreaterThanOrEqual(prompts), {
        timeout: 15_000,
      });
      prompts++;
      child.stdin.write(`${line}\r`);
    };
    await next("/help");
    await next("hello");
    await next("/model claude-opus-4.6");
    await next("/model no-such-model");
    await next("again");
    await next("/clear");
    await next("fresh start");
    await next("/bogus");
    await next("/exit");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
    expect(out).toContain("/model ID    switch to another model from the catalogue");
    expect(out).toContain("Now chatting with claude-opus-4.6.");
    expect(out).toMatch(/error: .*no-such-model/);
    expect(out).toContain("Started a new conversation.");
    expect(out).toContain("Unknown command /bogus; /help lists the commands.");
    const bodies = chatBodies();
    expect(bodies.map((b) => [b.model, b.messages.map((m) => m.content)])).toEqual([
      ["gpt-4.1", ["hello"]],
      ["claude-opus-4.6", ["hello", "echo: hello", "again"]],
      ["claude-opus-4.6", ["fresh start"]],
    ]);
  });
});
