import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestAppKeys } from "../fake-upstream/app-keys.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";

const BIN = join(process.cwd(), "bin", "copilot-gateway.js");

function startServe(
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<{ child: ChildProcess; url: string; output: string }> {
  const child = spawn(process.execPath, [BIN, "serve", "--team", "--port", "0", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1] && output.includes("Store: ")) resolve({ child, url: m[1], output });
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as {
    handle: string;
    userCode: string;
    status?: string;
    key: string;
    login?: string;
  };
}

describe("team gateway with --billing org: people sign in for identity, requests run on the App", () => {
  let fake: FakeUpstream;
  let home: string;
  let serve: Awaited<ReturnType<typeof startServe>>;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    const keys = makeTestAppKeys();
    fake.state.app.publicKey = keys.publicKey;
    fake.state.people = [
      {
        login: "dave",
        id: 201,
        token: "gho_dave00000000000000000000000000000001",
        orgs: ["acme"],
        seat: false,
      },
      {
        login: "erin",
        id: 202,
        token: "gho_erin00000000000000000000000000000002",
        orgs: ["acme"],
        seat: true,
      },
    ];
    home = mkdtempSync(join(tmpdir(), "cg-team-org-"));
    serve = await startServe(
      {
        PATH: process.env.PATH,
        HOME: home,
        COPILOT_GATEWAY_HOME: home,
        COPILOT_GATEWAY_SECRET: "a-long-test-secret-of-at-least-32-characters",
        COPILOT_GATEWAY_GITHUB_APP_ID: "424242",
        COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1001",
        COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "77",
        COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: keys.pemFile,
        ...fake.env(),
      },
      ["--billing", "org", "--allow-org", "acme"],
    );
  }, 30_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) {
      const exited = new Promise((resolve) => serve.child.once("exit", resolve));
      serve.child.kill("SIGTERM");
      await exited;
    }
    await fake?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  async function signIn(login: string) {
    const started = await post(`${serve.url}/team/api/sign-in`, { via: "connect" });
    fake.approveDevice(started.userCode, login);
    for (;;) {
      const polled = await post(`${serve.url}/team/api/sign-in/poll`, { handle: started.handle });
      if (polled.status !== "pending") return polled;
    }
  }

  it("says so at start, with the secret from COPILOT_GATEWAY_SECRET", () => {
    expect(serve.output).toContain(
      "Billing: every request runs on the organisation's GitHub App (App installation 1001 of app 424242).",
    );
    expect(serve.output).toMatch(/secrets sealed with COPILOT_GATEWAY_SECRET\./);
  });

  it("sends every person's requests on the App's token, even a person without a seat", async () => {
    const dave = await signIn("dave");
    const erin = await signIn("erin");
    expect(dave).toMatchObject({ status: "complete", login: "dave" });
    expect(erin).toMatchObject({ status: "complete", login: "erin" });
    for (const key of [dave.key, erin.key]) {
      const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: key, maxRetries: 0 });
      await client.chat.completions.create({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] });
    }
    const chats = fake.requestsTo("/chat/completions");
    expect(chats).toHaveLength(2);
    for (const request of chats) {
      const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1] ?? "";
      // The Copilot token came from an installation token the App minted, not from a person's GitHub token.
      expect(fake.copilotTokenSources.get(bearer)).toMatch(/^ghs_/);
      expect(fake.personByCopilotToken(bearer)).toBeUndefined();
    }
    // No person's own token was ever exchanged.
    const exchanged = fake
      .requestsTo("/copilot_internal/v2/token")
      .map((r) => String(r.headers.authorization));
    expect(exchanged.every((a) => a.startsWith("token ghs_"))).toBe(true);
  });
});
