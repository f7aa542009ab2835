import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestAppKeys } from "../fake-upstream/app-keys.js";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { RedisServer } from "../services/redis-server.js";
import { postJson, type Replica, startReplica, stopReplica } from "./replicas.js";

const SECRET = Buffer.alloc(32, 5).toString("base64");
/** Installation tokens live 4 s here, so each is renewed 2 s after it was minted (half its life). */
const LIFETIME_S = 4;
const PERIOD_MS = (LIFETIME_S * 1000) / 2;

/**
 * `serve --team --billing org --redis` on two real gateway processes: the App's installation token and the Copilot
 * token exchanged for it are shared through Redis, so the deployment mints one and exchanges one per period in
 * all, however many replicas serve (each replica on its own would do both once per period).
 */
describe("--billing org on two replicas sharing Redis", () => {
  let fake: FakeUpstream;
  let redis: RedisServer;
  let home: string;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    const keys = makeTestAppKeys();
    fake.state.app.publicKey = keys.publicKey;
    fake.state.app.tokenLifetimeSeconds = LIFETIME_S;
    fake.state.people = [
      {
        login: "dave",
        id: 401,
        token: "gho_dave10000000000000000000000000000001",
        orgs: ["acme"],
        seat: false,
      },
    ];
    redis = await RedisServer.start();
    home = mkdtempSync(join(tmpdir(), "cgw-org-replicas-"));
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      COPILOT_GATEWAY_SECRET: SECRET,
      COPILOT_GATEWAY_GITHUB_APP_ID: "424242",
      COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1001",
      COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "77",
      COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: keys.pemFile,
      ...fake.env(),
    };
    const args = ["--redis", redis.url, "--billing", "org", "--allow-org", "acme"];
    [a, b] = await Promise.all([
      startReplica({ ...env, COPILOT_GATEWAY_HOME: join(home, "a") }, args),
      startReplica({ ...env, COPILOT_GATEWAY_HOME: join(home, "b") }, args),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    await redis?.dispose();
    await fake?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("one installation-token mint and one Copilot exchange per period for the whole deployment", async () => {
    expect(a.output.join("")).toContain("Billing: every request runs on the organisation's GitHub App");
    const started = await postJson(`${a.url}/team/api/sign-in`, { via: "connect", name: "dave" });
    fake.approveDevice(String(started.json.userCode), "dave");
    let key = "";
    while (!key) {
      const polled = await postJson(`${b.url}/team/api/sign-in/poll`, { handle: started.json.handle });
      if (polled.json.status !== "pending") key = String(polled.json.key);
      else await new Promise((r) => setTimeout(r, 50));
    }
    const chat = (replica: Replica) =>
      new OpenAI({ baseURL: `${replica.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({
        model: "gpt-4.1",
        messages: [{ role: "user", content: "hi" }],
      });
    // Line up with the renewals: wait for the next mint (both replicas' timers are due at the same moment).
    const seen = fake.installationTokenRequests;
    await expect
      .poll(() => fake.installationTokenRequests, { timeout: 10_000, interval: 10 })
      .toBeGreaterThan(seen);
    await new Promise((r) => setTimeout(r, PERIOD_MS / 4)); // its exchange follows at once
    const mints = fake.installationTokenRequests;
    const exchanges = fake.exchanges;
    const chatsBefore = fake.requestsTo("/chat/completions").length;
    // Three and a half periods of traffic on both replicas: three renewals fall inside, none at the edges.
    const until = performance.now() + 3.5 * PERIOD_MS - PERIOD_MS / 4;
    let served = 0;
    while (performance.now() < until) {
      const answers = await Promise.all([chat(a), chat(b), chat(a), chat(b)]);
      served += answers.filter((answer) => answer.choices.length === 1).length;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(fake.installationTokenRequests - mints).toBe(3);
    expect(fake.exchanges - exchanges).toBe(3);
    // Every answer was served on the App: each Copilot token came from an installation token.
    const chats = fake.requestsTo("/chat/completions").slice(chatsBefore);
    expect(chats).toHaveLength(served);
    for (const request of chats) {
      const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1] ?? "";
      expect(fake.copilotTokenSources.get(bearer)).toMatch(/^ghs_/);
    }
  }, 40_000);
});
