import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { RedisServer } from "../services/redis-server.js";
import { postJson, type Replica, startReplica, stopReplica } from "./replicas.js";

const PEOPLE = ["carol", "dave", "erin"].map((login, i) => ({
  login,
  id: 301 + i,
  token: `gho_${login}${String(i).repeat(36 - login.length)}`,
  orgs: ["acme"],
  seat: true,
}));
const SECRET = Buffer.alloc(32, 9).toString("base64");
const LIMITS = ["--user-rpm", "5", "--user-concurrency", "1"];

/**
 * `--user-rpm` and `--user-concurrency` together, on two real gateway processes sharing one redis-server: one script
 * decides both per request, a slot is given back however the request ends (finished, client gone), and a replica
 * killed while holding one gives it back when its lease (here 2 s) runs out.
 */
describe("both per-person limits across two replicas", () => {
  let fake: FakeUpstream;
  let redis: RedisServer;
  let home: string;
  let a: Replica;
  let b: Replica;

  const client = (replica: Replica, key: string) =>
    new OpenAI({ baseURL: `${replica.url}/v1`, apiKey: key, maxRetries: 0 });
  const chat = (replica: Replica, key: string) =>
    client(replica, key).chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hi" }],
    });
  const refusal = async (replica: Replica, key: string) => {
    const error = await chat(replica, key).then(
      () => undefined,
      (e: unknown) => e,
    );
    return error instanceof OpenAI.APIError ? { status: error.status, code: error.code } : error;
  };

  async function signIn(login: string) {
    const started = await postJson(`${a.url}/team/api/sign-in`, { via: "connect", name: login });
    fake.approveDevice(String(started.json.userCode), login);
    for (;;) {
      const polled = await postJson(`${b.url}/team/api/sign-in/poll`, { handle: started.json.handle });
      if (polled.json.status !== "pending") return String(polled.json.key);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A streamed chat held open by the fake's slow chunks: resolves once the first chunk arrived. */
  async function startStream(replica: Replica, key: string) {
    const stream = await client(replica, key).chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "tell me a story" }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const rest = (async () => {
      for (;;) if ((await iterator.next()).done) return;
    })();
    rest.catch(() => {});
    return { rest, abort: () => stream.controller.abort() };
  }

  beforeAll(async () => {
    fake = await startFakeUpstream();
    fake.state.people = PEOPLE.map((p) => ({ ...p }));
    fake.state.copilot.chunkDelayMs = 100;
    fake.state.copilot.streamChunks = 10;
    redis = await RedisServer.start();
    home = mkdtempSync(join(tmpdir(), "cgw-limits-"));
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      COPILOT_GATEWAY_SECRET: SECRET,
      COPILOT_GATEWAY_CONCURRENCY_LEASE_SECONDS: "2",
      ...fake.env(),
    };
    const args = ["--redis", redis.url, "--allow-org", "acme", ...LIMITS];
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

  it("one slot for both replicas; refusals for it do not use up the minute, which is shared too", async () => {
    expect(a.output.join("")).toContain("Per-person limits: 5 requests/minute, 1 at once.");
    const key = await signIn("carol");
    const held = await startStream(a, key);
    expect(await refusal(b, key)).toEqual({ status: 429, code: "user_concurrency_limited" });
    expect(await refusal(a, key)).toEqual({ status: 429, code: "user_concurrency_limited" });
    await held.rest;
    // The stream's end gave the slot back (released a moment after the answer closed).
    await expect.poll(() => refusal(b, key), { timeout: 5_000, interval: 50 }).toBeUndefined();
    // Stream + the request just admitted = 2 of 5; the two refusals counted for nothing.
    for (const replica of [a, b, a]) expect((await chat(replica, key)).choices).toHaveLength(1);
    const limited = await chat(b, key).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("user_rate_limited");
    expect(
      Number((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after")),
    ).toBeGreaterThan(50);
  }, 30_000);

  it("a client that goes away mid-stream gives its slot back on every replica", async () => {
    const key = await signIn("dave");
    fake.state.copilot.streamChunks = 100; // 10 s of answer: far longer than the wait below
    try {
      const held = await startStream(b, key);
      expect(await refusal(a, key)).toEqual({ status: 429, code: "user_concurrency_limited" });
      held.abort();
      // A live replica renews the slots it holds, so only the release when the client left can free this one.
      await expect.poll(() => refusal(a, key), { timeout: 3_000, interval: 50 }).toBeUndefined();
    } finally {
      fake.state.copilot.streamChunks = 10;
    }
  }, 30_000);

  it("a replica killed holding a slot gives it back when its lease runs out", async () => {
    const key = await signIn("erin");
    const held = await startStream(a, key);
    await stopReplica(a, "SIGKILL");
    await expect(held.rest).rejects.toThrow();
    expect(await refusal(b, key)).toEqual({ status: 429, code: "user_concurrency_limited" });
    const killedAt = performance.now();
    await expect.poll(() => refusal(b, key), { timeout: 8_000, interval: 100 }).toBeUndefined();
    // Not at once: the slot stayed taken until its 2 s lease ran out.
    expect(performance.now() - killedAt).toBeGreaterThan(500);
  }, 30_000);
});
