import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fake-upstream/server.js";
import { RedisServer } from "../services/redis-server.js";
import { postJson, type Replica, startReplica, stopReplica } from "./replicas.js";

const PEOPLE = [
  { login: "alice", id: 201, token: "gho_alice10000000000000000000000000000001", orgs: ["acme"], seat: true },
  { login: "bob", id: 202, token: "gho_bob100000000000000000000000000000002", orgs: ["acme"], seat: true },
  { login: "dan", id: 203, token: "gho_dan100000000000000000000000000000003", orgs: ["acme"], seat: true },
  { login: "erin", id: 204, token: "gho_erin10000000000000000000000000000004", orgs: ["acme"], seat: true },
];
const SECRET = Buffer.alloc(32, 7).toString("base64");

/**
 * Two real gateway processes on one real redis-server, in front of the fake GitHub/Copilot: what a deployment
 * with two machines does, on loopback.
 */
describe("two replicas on one Redis", () => {
  let fake: FakeUpstream;
  let redis: RedisServer;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let a: Replica;
  let b: Replica;
  const keys: Record<string, string> = {};

  const args = (extra: string[] = []) => [
    "--redis",
    redis.url,
    "--redis-prefix",
    "rep",
    "--allow-org",
    "acme",
    ...extra,
  ];
  const client = (replica: Replica, key: string) =>
    new OpenAI({ baseURL: `${replica.url}/v1`, apiKey: key, maxRetries: 0 });
  const chat = (replica: Replica, key: string) =>
    client(replica, key).chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hi" }],
    });

  /** Start the sign-in on one replica, approve on GitHub, finish it by polling the other. */
  async function signIn(login: string, start: Replica, finish: Replica, via: "connect" | "page" = "connect") {
    const started = await postJson(`${start.url}/team/api/sign-in`, { via, name: `${login}'s laptop` });
    expect(started.status).toBe(201);
    fake.approveDevice(String(started.json.userCode), login);
    for (;;) {
      const polled = await postJson(`${finish.url}/team/api/sign-in/poll`, { handle: started.json.handle });
      if (polled.json.status !== "pending") return polled;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    fake = await startFakeUpstream();
    fake.state.people = PEOPLE.map((p) => ({ ...p }));
    redis = await RedisServer.start({ password: "replica-pass" });
    home = mkdtempSync(join(tmpdir(), "cgw-replicas-"));
    const base = { PATH: process.env.PATH, HOME: home, COPILOT_GATEWAY_SECRET: SECRET, ...fake.env() };
    env = base;
    // Each replica has its own state directory: nothing is shared but Redis (and the secret).
    [a, b] = await Promise.all([
      startReplica({ ...base, COPILOT_GATEWAY_HOME: join(home, "a") }, args(["--user-rpm", "12"])),
      startReplica({ ...base, COPILOT_GATEWAY_HOME: join(home, "b") }, args(["--user-rpm", "12"])),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    await redis?.dispose();
    await fake?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("says at start that the store is Redis, never printing its password", () => {
    const text = a.output.join("");
    expect(text).toContain(`Store: Redis redis://127.0.0.1:${redis.port} (prefix rep)`);
    expect(text).toContain("secrets sealed with COPILOT_GATEWAY_SECRET");
    expect(text).not.toContain("replica-pass");
  });

  it("a sign-in started on A is completed on B, and the key works on both", async () => {
    const done = await signIn("alice", a, b);
    expect(done.status).toBe(200);
    keys.alice = String(done.json.key);
    expect(keys.alice).toMatch(/^cgw_[0-9A-Za-z]{43}$/);
    const onB = await chat(b, keys.alice);
    const onA = await chat(a, keys.alice);
    expect(onB.choices[0]?.message.content).toBeTruthy();
    expect(onA.choices[0]?.message.content).toBeTruthy();
    // Both ran on alice's own seat.
    expect(fake.seatsUsedFor("/chat/completions").slice(-2)).toEqual(["alice", "alice"]);
  });

  it("counts one person's requests per minute across both replicas (--user-rpm 12)", async () => {
    const done = await signIn("bob", b, a);
    const key = String(done.json.key);
    for (let i = 0; i < 12; i++) await chat(i % 2 ? a : b, key);
    const refused = await chat(b, key).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.status).toBe(429);
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
    // Another person is served meanwhile.
    expect((await chat(b, keys.alice!)).choices).toHaveLength(1);
  });

  it("a key revoked on A is refused on B within 1 s", async () => {
    const done = await signIn("dan", a, a, "page");
    const key = String(done.json.key);
    const cookie = String(done.headers.get("set-cookie")).split(";")[0]!;
    // B has seen (and cached) the key.
    expect((await chat(b, key)).choices).toHaveLength(1);
    const me = (await (await fetch(`${a.url}/team/api/me`, { headers: { cookie } })).json()) as {
      csrf: string;
      keys: { id: string }[];
    };
    const revoked = await postJson(
      `${a.url}/team/api/keys/${me.keys[0]!.id}/revoke`,
      {},
      {
        cookie,
        "x-cgw-csrf": me.csrf,
      },
    );
    expect(revoked.status).toBe(200);
    const refusedAt = performance.now();
    await expect
      .poll(async () => (await chat(b, key).catch((e: unknown) => e)) instanceof OpenAI.AuthenticationError, {
        timeout: 1_000,
        interval: 20,
      })
      .toBe(true);
    expect(performance.now() - refusedAt).toBeLessThan(1_000);
  });

  it("both replicas serving one person through several refresh periods exchange once per period in all", async () => {
    // Tokens live 4 s and are refreshed after 2 s; nothing exchanges in the background (sessions are lazy).
    fake.state.exchange.refreshIn = 4;
    const key = String((await signIn("erin", b, a)).json.key);
    await new Promise((r) => setTimeout(r, 2_100)); // the token of the sign-in's own check is due by now
    const before = fake.exchanges;
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      await Promise.all([a, b, a, b].map((replica) => chat(replica, key)));
      if (round < rounds - 1) await new Promise((r) => setTimeout(r, 2_100));
    }
    // One per period for the whole deployment (each replica on its own would make two).
    expect(fake.exchanges - before).toBe(rounds);
    fake.state.exchange.refreshIn = 1500;
  }, 30_000);

  /** A streamed chat: resolves when the first chunk arrived, with the promise of the whole text. */
  async function startStream(replica: Replica, key: string) {
    const stream = await client(replica, key).chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "tell me a story" }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    const rest = (async () => {
      let text = first.value?.choices[0]?.delta.content ?? "";
      for (;;) {
        const next = await iterator.next();
        if (next.done) return text;
        text += next.value.choices[0]?.delta.content ?? "";
      }
    })();
    rest.catch(() => {});
    return { rest };
  }

  it("A killed mid-stream: only A's stream ends; B keeps serving and a new replica finds all state", async () => {
    fake.state.copilot.chunkDelayMs = 150;
    fake.state.copilot.streamChunks = 8;
    try {
      const onA = await startStream(a, keys.alice!);
      const onB = await startStream(b, keys.alice!);
      await stopReplica(a, "SIGKILL");
      await expect(onA.rest).rejects.toThrow();
      expect((await onB.rest).length).toBeGreaterThan(0);
    } finally {
      fake.state.copilot.chunkDelayMs = 0;
      fake.state.copilot.streamChunks = 5;
    }
    expect((await chat(b, keys.alice!)).choices).toHaveLength(1);
    // A replacement replica, with an empty state directory of its own, knows alice and her key.
    a = await startReplica({ ...env, COPILOT_GATEWAY_HOME: join(home, "a2") }, args(["--user-rpm", "12"]));
    expect((await chat(a, keys.alice!)).choices).toHaveLength(1);
  }, 30_000);

  it("Redis stopped: 503 within 1 s in each API's shape, streams in flight go on, /readyz says so; back without a restart", async () => {
    fake.state.copilot.chunkDelayMs = 150;
    fake.state.copilot.streamChunks = 8;
    const streaming = await startStream(b, keys.alice!);
    await redis.stop();
    try {
      await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 5_000 }).toBe(503);
      expect(await (await fetch(`${b.url}/readyz`)).json()).toEqual({
        status: "not_ready",
        reason: "store_unavailable",
      });
      // The per-person limit needs Redis: refused at once, never a hang.
      const started = performance.now();
      const refused = await chat(b, keys.alice!).catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(refused).toBeInstanceOf(OpenAI.InternalServerError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe("store_unavailable");
      const anthropic = await fetch(`${b.url}/v1/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": keys.alice!,
          "anthropic-version": "2023-06-01",
        },
        body: JSON.stringify({
          model: "claude-sonnet-4",
          max_tokens: 10,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(anthropic.status).toBe(503);
      expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: expect.any(String) } });
      // The answer that was streaming when Redis went away finishes.
      expect((await streaming.rest).length).toBeGreaterThan(0);
    } finally {
      fake.state.copilot.chunkDelayMs = 0;
      fake.state.copilot.streamChunks = 5;
      await redis.start();
    }
    // Redis came back empty (no persistence): ready again without a restart, and people sign in again.
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    await expect
      .poll(
        async () => ((await chat(b, keys.alice!).catch((e: unknown) => e)) as { status?: number }).status,
        {
          timeout: 5_000,
        },
      )
      .toBe(401);
    const again = await signIn("alice", a, b);
    expect((await chat(a, String(again.json.key))).choices).toHaveLength(1);
  }, 40_000);
});
