import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tempHomes } from "../cli/cli-run.js";
import { makeTestAppKeys } from "../fake-upstream/app-keys.js";
import { FakeUpstream } from "../fake-upstream/server.js";

const fake = new FakeUpstream();
const keys = makeTestAppKeys();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  fake.state.app.publicKey = keys.publicKey;
});

interface Running {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exit: Promise<number | null>;
}

function serve(env: Record<string, string>): Running {
  const { home, state } = tempHomes();
  const child = spawn(process.execPath, ["bin/copilot-gateway.js", "serve", "--port", "0"], {
    env: { PATH: process.env.PATH ?? "", HOME: home, COPILOT_GATEWAY_HOME: state, ...fake.env(), ...env },
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

async function ready(running: Running): Promise<string> {
  const until = Date.now() + 15_000;
  for (;;) {
    const url = /listening on (http:\/\/[^\s]+) /.exec(running.stderr())?.[1];
    if (url && /Copilot ready|no Copilot token yet/.test(running.stderr())) return url;
    if (Date.now() > until) throw new Error(`serve did not start: ${running.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(running: Running): Promise<void> {
  running.child.kill("SIGTERM");
  await running.exit;
}

const APP_ENV = {
  COPILOT_GATEWAY_GITHUB_APP_ID: "424242",
  COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1001",
  COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "77",
  COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: keys.pemFile,
};
const PAT = "github_pat_11BBBBBBB0000000000000_servepatservepatservepatservepatservepatservepat99";
const ACTIONS = "ghs_serveactions0000000000000000000000000";

describe("serve in every mode, through the openai SDK", () => {
  it.each([
    [
      "fine-grained PAT",
      () => {
        fake.state.pats[PAT] = { copilotRequests: true };
        return { COPILOT_GITHUB_TOKEN: PAT };
      },
      /Copilot ready \(fine-grained PAT from COPILOT_GITHUB_TOKEN, billed to the user's Copilot seat/,
    ],
    [
      "App installation",
      () => APP_ENV,
      /Copilot ready \(App installation 1001 of app 424242 from .*, billed to the organization that installed the App/,
    ],
    [
      "Actions token",
      () => {
        fake.state.actionsTokens[ACTIONS] = { org: "acme", copilotRequests: true };
        return { GITHUB_TOKEN: ACTIONS, GITHUB_ACTIONS: "true" };
      },
      /Copilot ready \(Actions token from GITHUB_TOKEN, billed to the organization \(Actions\)/,
    ],
    [
      "direct Copilot token",
      () => {
        const { token } = fake.issueCopilotToken();
        return { GITHUB_COPILOT_API_TOKEN: token, COPILOT_API_URL: fake.url };
      },
      /Copilot ready \(direct Copilot token from GITHUB_COPILOT_API_TOKEN, billed to whoever minted the Copilot token/,
    ],
  ] as const)("%s", async (_name, setup, readyLine) => {
    const running = serve(setup());
    try {
      const url = await ready(running);
      expect(running.stderr()).toMatch(readyLine);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
      const answer = await client.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: `hello ${_name}` }],
      });
      expect(answer.choices[0]?.message.content).toContain(`hello ${_name}`);
      const models = await client.models.list();
      expect(models.data.length).toBeGreaterThan(0);
    } finally {
      await stop(running);
    }
    expect(running.stderr()).not.toMatch(/ghs_[a-f0-9]{8}|github_pat_1|tid=fake/);
  });

  it("App installation tokens are renewed while serving, with zero failed requests", async () => {
    // Installation tokens live 4 s here (one hour on GitHub): each Copilot token dies with the ghs_ it came from.
    fake.state.app.tokenLifetimeSeconds = 4;
    const running = serve(APP_ENV);
    try {
      const url = await ready(running);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
      let ok = 0;
      const failures: unknown[] = [];
      // Keep asking until several installation tokens have come and gone.
      while (fake.installationTokenRequests < 4) {
        const batch = await Promise.allSettled(
          [1, 2, 3].map((i) =>
            client.chat.completions.create({
              model: "gpt-4o",
              messages: [{ role: "user", content: `n${i}` }],
            }),
          ),
        );
        for (const r of batch) {
          if (r.status === "fulfilled") ok++;
          else failures.push(r.reason);
        }
      }
      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(0);
      // The Copilot API never had to refuse an expired token: renewal happened ahead of expiry.
      expect(fake.requestsTo("/chat/completions").length).toBe(ok);
    } finally {
      await stop(running);
    }
  });
});
