import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const TOKEN = "gho_ratelimit00000000000000000000000000000";

interface Running {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** The built CLI, its stdin a closed pipe, with a fresh state directory and the fake as GitHub and Copilot. */
function run(args: string[], env: Record<string, string> = {}): Running {
  const home = mkdtempSync(join(tmpdir(), "cg-rate-"));
  const child = spawn(process.execPath, ["bin/copilot-gateway.js", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, COPILOT_GATEWAY_HOME: home, ...fake.env(), ...env },
  });
  child.stdin.end();
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

async function listening(running: Running): Promise<string> {
  await vi.waitFor(() => expect(running.stderr()).toMatch(/listening on http:\/\/[^\s]+ /), {
    timeout: 15_000,
  });
  return /listening on (http:\/\/[^\s]+) /.exec(running.stderr())?.[1] as string;
}

async function stop(running: Running): Promise<void> {
  running.child.kill("SIGTERM");
  expect(await running.exit).toBe(0);
}

describe("copilot-gateway serve --rate-limit", () => {
  it("answers a request that comes too early 429 with Retry-After, in the OpenAI and Anthropic shapes", async () => {
    const running = run(["serve", "--port", "0", "--rate-limit", "30"], { COPILOT_GITHUB_TOKEN: TOKEN });
    const url = await listening(running);
    await vi.waitFor(() =>
      expect(running.stderr()).toContain(
        "Rate limit: at most one model request to Copilot every 30 s; early ones get 429 with Retry-After (--wait queues them).",
      ),
    );
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const ask = (content: string) =>
      openai.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content }] });
    expect((await ask("first")).choices[0]?.message.content).toBe("echo: first");

    const error = (await ask("too early").catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.RateLimitError
    >;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const retryAfter = Number(error.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 30).toBe(true);
    expect(error.error).toMatchObject({ type: "rate_limit_error", code: "gateway_rate_limited" });
    expect(error.message).toContain("every 30 s (serve --rate-limit)");

    const anthropic = new Anthropic({ baseURL: url, apiKey: "x", maxRetries: 0 });
    const anthropicError = (await anthropic.messages
      .create({ model: "claude-sonnet-4.5", max_tokens: 16, messages: [{ role: "user", content: "early" }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.RateLimitError>;
    expect(anthropicError).toBeInstanceOf(Anthropic.RateLimitError);
    expect(anthropicError.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(Number(anthropicError.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    expect(fake.requestsTo("/chat/completions")).toHaveLength(1);
    expect(fake.requestsTo("/v1/messages")).toHaveLength(0);
    await stop(running);
    expect(running.stderr()).toMatch(/POST \/v1\/chat\/completions gpt-4\.1 429 .*gateway_rate_limited/);
  });

  it("with --wait (here from the environment) queues concurrent requests and sends them the gap apart", async () => {
    const running = run(["serve", "--port", "0"], {
      COPILOT_GITHUB_TOKEN: TOKEN,
      COPILOT_GATEWAY_RATE_LIMIT: "0.5",
      COPILOT_GATEWAY_RATE_LIMIT_WAIT: "1",
    });
    const url = await listening(running);
    await vi.waitFor(() =>
      expect(running.stderr()).toContain(
        "Rate limit: at most one model request to Copilot every 0.5 s; early ones wait in line (up to 100).",
      ),
    );
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const answers = await Promise.all(
      ["one", "two", "three"].map((content) =>
        openai.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content }] }),
      ),
    );
    expect(answers.every((a) => a.choices[0]?.message.content?.startsWith("echo: "))).toBe(true);
    const arrivals = fake.requestsTo("/chat/completions").map((r) => r.receivedAt);
    expect(arrivals).toHaveLength(3);
    // Measured where the fake received them; a few ms of jitter between sending and arriving is allowed.
    for (let i = 1; i < arrivals.length; i++)
      expect((arrivals[i] as number) - (arrivals[i - 1] as number)).toBeGreaterThanOrEqual(460);
    await stop(running);
  });

  it.each([
    [
      ["--rate-limit", "abc"],
      'Invalid --rate-limit "abc": use a number of seconds greater than 0 and at most 3600, e.g. 2 or 0.5.',
    ],
    [
      ["--rate-limit", "0"],
      'Invalid --rate-limit "0": use a number of seconds greater than 0 and at most 3600, e.g. 2 or 0.5.',
    ],
    [
      ["--rate-limit=-1"],
      'Invalid --rate-limit "-1": use a number of seconds greater than 0 and at most 3600, e.g. 2 or 0.5.',
    ],
    [
      ["--wait"],
      "--wait needs --rate-limit SECONDS: it queues requests for their slot instead of answering 429.",
    ],
    [
      ["--team", "--rate-limit", "1"],
      "--rate-limit (COPILOT_GATEWAY_RATE_LIMIT), --wait and --manual are for a single-user gateway; a team gateway limits each person with --user-rpm and --user-concurrency.",
    ],
  ])("refuses serve %j with one line and exit 2", async (args, message) => {
    const running = run(["serve", "--port", "0", ...args], { COPILOT_GITHUB_TOKEN: TOKEN });
    expect(await running.exit).toBe(2);
    expect(running.stderr()).toBe(`error: ${message}\n`);
  });

  it("refuses a bad COPILOT_GATEWAY_RATE_LIMIT the same way", async () => {
    const running = run(["serve", "--port", "0"], {
      COPILOT_GITHUB_TOKEN: TOKEN,
      COPILOT_GATEWAY_RATE_LIMIT: "fast",
    });
    expect(await running.exit).toBe(2);
    expect(running.stderr()).toBe(
      'error: Invalid COPILOT_GATEWAY_RATE_LIMIT "fast": use a number of seconds greater than 0 and at most 3600, e.g. 2 or 0.5.\n',
    );
  });
});
