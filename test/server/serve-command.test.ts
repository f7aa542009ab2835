import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";
import { waitFor } from "./harness.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

interface Running {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Running {
  const home = mkdtempSync(join(tmpdir(), "cg-serve-"));
  const child = spawn(process.execPath, ["bin/copilot-gateway.js", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      COPILOT_GATEWAY_HOME: home,
      ...fake.env(),
      ...env,
    },
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

/** Wait until stderr holds `pattern` (lines arrive in separate writes) and return its first group or match. */
async function waitForStderr(running: Running, pattern: RegExp): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    const match = pattern.exec(running.stderr());
    if (match) return match[1] ?? match[0];
    if (Date.now() > until) throw new Error(`serve never printed ${pattern}: ${running.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const listeningUrl = (running: Running) => waitForStderr(running, /listening on (http:\/\/[^\s]+) /);

describe("copilot-gateway serve", () => {
  it("refuses to bind beyond loopback without an API key (exit 2, one line)", async () => {
    const running = run(["serve", "--host", "0.0.0.0", "--port", "0"], { COPILOT_GITHUB_TOKEN: "gho_x" });
    expect(await running.exit).toBe(2);
    expect(running.stderr().trim().split("\n")).toHaveLength(1);
    expect(running.stderr()).toMatch(
      /^error: Refusing to listen on 0\.0\.0\.0 without an API key.*--api-key/,
    );
  });

  it("serves the OpenAI API and exits 0 on SIGTERM", async () => {
    const running = run(["serve", "--port", "0"], {
      COPILOT_GITHUB_TOKEN: "gho_servetest000000000000000000000000000",
    });
    const url = await listeningUrl(running);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "via the CLI" }],
    });
    expect(completion.choices[0]?.message.content).toBe("echo: via the CLI");
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    running.child.kill("SIGTERM");
    expect(await running.exit).toBe(0);
    const log = running.stderr();
    expect(log).toMatch(/POST \/v1\/chat\/completions gpt-4\.1 200 /);
    expect(log).toContain("Stopped.");
    expect(log).toContain(
      `Point a tool at it: copilot-gateway env claude-code|codex|opencode|aider|continue|curl --port ${new URL(url).port}; the page ${url}/ shows the same setups.`,
    );
    expect(log).not.toContain("gho_servetest");
  });

  it("starts without a token and says how to sign in", async () => {
    const running = run(["serve", "--port", "0"]);
    const url = await listeningUrl(running);
    expect(await waitForStderr(running, /Not signed in: run `copilot-gateway login`[^\n]*/)).toContain(
      `open ${url}/`,
    );
    const res = await fetch(`${url}/v1/models`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "not_signed_in" } });
    running.child.kill("SIGINT");
    expect(await running.exit).toBe(0);
  });

  it("follows the token store: login in another terminal signs it in, logout signs it out, no restart", async () => {
    const home = mkdtempSync(join(tmpdir(), "cg-follow-"));
    const homes = { HOME: home, COPILOT_GATEWAY_HOME: home };
    const running = run(["serve", "--port", "0"], homes);
    const url = await listeningUrl(running);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    const cli = (args: string[]) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ["bin/copilot-gateway.js", ...args], {
          env: { PATH: process.env.PATH ?? "", ...fake.env(), ...homes },
        });
        child.stdin.end();
        child.on("exit", resolve);
      });
    expect(await cli(["login"])).toBe(0);
    await waitForStderr(running, /Signed in from the token store/);
    expect((await fetch(`${url}/v1/models`)).status).toBe(200);
    expect(await cli(["logout"])).toBe(0);
    await waitForStderr(running, /The stored login was removed \(logout\): the gateway is signed out/);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    running.child.kill("SIGTERM");
    expect(await running.exit).toBe(0);
  });

  it("requires the API key it was given", async () => {
    const running = run(["serve", "--port", "0", "--api-key", "cli-key"], { COPILOT_GITHUB_TOKEN: "gho_y" });
    const url = await listeningUrl(running);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer cli-key" } })).status).toBe(
      200,
    );
    running.child.kill("SIGTERM");
    expect(await running.exit).toBe(0);
  });

  it("on SIGINT stops accepting, lets a stream in flight finish, then exits 0", async () => {
    // The stream is held half-way until the gateway has stopped accepting, so it is surely in flight then.
    fake.state.copilot.streamChunks = 20;
    fake.state.copilot.stallAfterChunks = 5;
    try {
      const running = run(["serve", "--port", "0"], { COPILOT_GITHUB_TOKEN: "gho_sigint" });
      const url = await listeningUrl(running);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
      const stream = await client.chat.completions.create({
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
      running.child.kill("SIGINT");
      await waitForStderr(running, /Shutting down: no new requests, finishing the ones in flight/);
      let accepting = true;
      while (accepting) {
        accepting = await fetch(`${url}/healthz`).then(
          (res) => res.status === 200,
          () => false,
        );
      }
      fake.releaseStalls();
      expect(await reading).toBe("echo: finish me please");
      expect(await running.exit).toBe(0);
      expect(running.stderr()).toMatch(
        /POST \/v1\/chat\/completions gpt-4\.1 200 [^\n]* stream\n[\s\S]*Stopped\./,
      );
      expect(fake.abortedRequests).toHaveLength(0);
    } finally {
      fake.reset();
    }
  });

  it("cuts streams in flight at a second signal, and still exits 0", async () => {
    fake.state.copilot.streamChunks = 20;
    fake.state.copilot.stallAfterChunks = 5;
    try {
      const running = run(["serve", "--port", "0"], { COPILOT_GITHUB_TOKEN: "gho_sigint" });
      const url = await listeningUrl(running);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: "gpt-4.1",
        messages: [{ role: "user", content: "never finished" }],
        stream: true,
      });
      const reading = (async () => {
        for await (const _ of stream) {
          // read until the gateway cuts the stream
        }
      })();
      await waitFor(() => fake.stalledStreams.size === 1, "the stream to be half-way");
      running.child.kill("SIGINT");
      await waitForStderr(running, /Shutting down/);
      running.child.kill("SIGINT");
      await expect(reading).rejects.toThrow();
      expect(await running.exit).toBe(0);
      await waitFor(() => fake.abortedRequests.length === 1, "the upstream request to be aborted");
    } finally {
      fake.reset();
    }
  });
});
