import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { runCli, tempHomes } from "./cli-run.js";

// util-linux `script` gives `serve --manual` a real pseudo-terminal: the questions are answered as a person would.
const hasScript = spawnSync("script", ["--version"]).status === 0;
const BIN = fileURLToPath(new URL("../../bin/copilot-gateway.js", import.meta.url));
const TOKEN = "gho_manualtest0000000000000000000000000000";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

function serveOnTerminal() {
  const { home, state } = tempHomes();
  const child = spawn(
    "script",
    ["-qefc", `exec "${process.execPath}" "${BIN}" serve --manual --port 0`, "/dev/null"],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        COPILOT_GATEWAY_HOME: state,
        COPILOT_GITHUB_TOKEN: TOKEN,
        ...fake.env(),
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString().replace(/\r/g, "");
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  const count = (text: string) => output.split(text).length - 1;
  return {
    child,
    exit,
    output: () => output,
    /** Wait until the terminal shows the n-th question, then return what it showed. */
    async question(n: number): Promise<string> {
      await vi.waitFor(() => expect(count("Send it? [y]es, [n]o, [a]ll from now on")).toBe(n), {
        timeout: 15_000,
      });
      return output.slice(output.indexOf(`Request #${n} `));
    },
    type: (text: string) => child.stdin.write(text),
  };
}

describe.skipIf(!hasScript)("copilot-gateway serve --manual on a terminal", () => {
  it("asks before each request: approve sends it, deny answers 403, approve all stops asking", async () => {
    const term = serveOnTerminal();
    await vi.waitFor(() => expect(term.output()).toMatch(/listening on http:\/\/[^\s]+ /), {
      timeout: 15_000,
    });
    const url = /listening on (http:\/\/[^\s]+) /.exec(term.output())?.[1] as string;
    expect(term.output()).toContain(
      "Manual approval: each model request is asked here before it goes to Copilot.",
    );
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const chat = (content: string) =>
      openai.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content }] });

    const approved = chat("approve this one");
    const first = await term.question(1);
    expect(first).toContain(
      "Request #1 wants to go to Copilot: POST /v1/chat/completions, model gpt-4.1, from 127.0.0.1",
    );
    expect(first).toContain('last user message: "approve this one"');
    expect(fake.requestsTo("/chat/completions")).toHaveLength(0); // nothing goes up before the answer
    term.type("y\n");
    expect((await approved).choices[0]?.message.content).toBe("echo: approve this one");

    const denied = chat("deny this one").catch((e: unknown) => e);
    expect(await term.question(2)).toContain('last user message: "deny this one"');
    term.type("n\n");
    const error = (await denied) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.error).toMatchObject({ code: "request_denied" });

    const anthropic = new Anthropic({ baseURL: url, apiKey: "x", maxRetries: 0 });
    const viaAll = anthropic.messages.create({
      model: "claude-sonnet-4.5",
      max_tokens: 32,
      messages: [{ role: "user", content: "approve all from here" }],
    });
    expect(await term.question(3)).toContain("POST /v1/messages, model claude-sonnet-4.5");
    term.type("a\n");
    await viaAll;
    expect(term.output()).toContain("Approving every request from now on.");
    expect((await chat("no question now")).choices[0]?.message.content).toBe("echo: no question now");
    expect(term.output()).not.toContain("Request #4");

    const sent = fake
      .requestsTo("/chat/completions")
      .map((r) => (r.body as { messages: { content: string }[] }).messages[0]?.content);
    expect(sent).toEqual(["approve this one", "no question now"]);
    expect(fake.requestsTo("/v1/messages")).toHaveLength(1);
    expect(term.output()).toMatch(/POST \/v1\/chat\/completions gpt-4\.1 403 .*request_denied/);

    term.type("\u0003"); // Ctrl-C on the terminal: the usual graceful stop
    expect(await term.exit).toBe(0);
    expect(term.output()).toContain("Stopped.");
  });

  it("Ctrl-C while a question is open stops the gateway; the waiting request gets 503, nothing is sent", async () => {
    const term = serveOnTerminal();
    await vi.waitFor(() => expect(term.output()).toMatch(/listening on http:\/\/[^\s]+ /), {
      timeout: 15_000,
    });
    const url = /listening on (http:\/\/[^\s]+) /.exec(term.output())?.[1] as string;
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const before = fake.requestsTo("/chat/completions").length;
    const pending = openai.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "never answered" }] })
      .catch((e: unknown) => e);
    await term.question(1);
    term.type("\u0003");
    const error = (await pending) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(503);
    expect(error.error).toMatchObject({ code: "shutting_down" });
    expect(await term.exit).toBe(0);
    expect(term.output()).toContain("Stopped.");
    expect(fake.requestsTo("/chat/completions")).toHaveLength(before);
  });
});

describe("copilot-gateway serve --manual without a terminal", () => {
  it("refuses to start with one line and exit 2", async () => {
    const { home, state } = tempHomes();
    const result = await runCli(["serve", "--manual", "--port", "0"], {
      HOME: home,
      COPILOT_GATEWAY_HOME: state,
      COPILOT_GITHUB_TOKEN: TOKEN,
      ...fake.env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: serve --manual asks in the terminal before each request, but stdin is not a terminal: run it in a terminal, or drop --manual.\n",
    );
  });
});
