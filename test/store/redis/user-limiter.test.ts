import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisConnection } from "../../../src/store/redis/redis-connection.js";
import { RedisKeys } from "../../../src/store/redis/redis-keys.js";
import { StoreUnavailableError } from "../../../src/store/redis/store-unavailable.js";
import { RedisUserLimiter } from "../../../src/store/redis/user-limiter.js";
import { RedisServer } from "../../services/redis-server.js";

let redis: RedisServer;
const open: RedisConnection[] = [];
const keys = new RedisKeys("lim");

/** One limiter per "replica", each on its own connection, as two gateway processes would be. */
async function replica(options: ConstructorParameters<typeof RedisUserLimiter>[2] = {}) {
  const connection = await RedisConnection.open({ url: redis.url });
  open.push(connection);
  return { connection, limiter: new RedisUserLimiter(connection, keys, options) };
}

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});
afterAll(async () => {
  await redis.dispose();
});

describe("RedisUserLimiter (one Lua script, counted across replicas)", () => {
  it("counts requests per minute across two replicas and refuses the one over the limit with a retry-after", async () => {
    const a = await replica();
    const b = await replica();
    const answers = [];
    for (const limiter of [a.limiter, b.limiter, a.limiter])
      answers.push(await limiter.acquire("Alice", { rpm: 3 }));
    expect(answers.map((d) => d.allowed)).toEqual([true, true, true]);
    expect(answers.map((d) => (d.allowed ? d.remaining : undefined))).toEqual([2, 1, 0]);
    const refused = await b.limiter.acquire("alice", { rpm: 3 });
    expect(refused.allowed).toBe(false);
    if (refused.allowed) return;
    expect(refused.reason).toBe("rpm");
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    // Another person is untouched.
    expect((await b.limiter.acquire("bob", { rpm: 3 })).allowed).toBe(true);
  });

  it("caps requests in flight across replicas; a release on one frees the slot for the other", async () => {
    const a = await replica();
    const b = await replica();
    const first = await a.limiter.acquire("carol", { concurrency: 2 });
    const second = await b.limiter.acquire("carol", { concurrency: 2 });
    expect([first.allowed, second.allowed]).toEqual([true, true]);
    const third = await b.limiter.acquire("carol", { concurrency: 2 });
    expect(third).toEqual({ allowed: false, reason: "concurrency", retryAfterMs: 1000 });
    if (first.allowed) first.release();
    await expect.poll(async () => (await b.limiter.acquire("carol", { concurrency: 2 })).allowed).toBe(true);
    a.limiter.stop();
    b.limiter.stop();
  });

  it("a refusal by one limit consumes neither (the window is not charged for a request refused as too concurrent)", async () => {
    const a = await replica();
    const held = await a.limiter.acquire("dave", { rpm: 5, concurrency: 1 });
    expect(held.allowed).toBe(true);
    for (let i = 0; i < 3; i++)
      expect(await a.limiter.acquire("dave", { rpm: 5, concurrency: 1 })).toMatchObject({
        reason: "concurrency",
      });
    if (held.allowed) held.release();
    await expect
      .poll(async () => (await a.limiter.acquire("dave", { rpm: 5, concurrency: 1 })).allowed)
      .toBe(true);
    // 2 of 5 used (the held one and this one), whatever the three refusals were.
    expect(await a.connection.run((r) => r.zcard(keys.person("dave", "rpm")))).toBe(2);
    a.limiter.stop();
  });

  it("a replica that dies while holding a slot gives it back when its lease runs out; a live one keeps renewing", async () => {
    const dying = await replica({ leaseMs: 400 });
    const living = await replica({ leaseMs: 400 });
    const kept = await living.limiter.acquire("erin", { concurrency: 2 });
    const lost = await dying.limiter.acquire("erin", { concurrency: 2 });
    expect([kept.allowed, lost.allowed]).toEqual([true, true]);
    dying.limiter.stop(); // stops renewing, as a killed process would
    await dying.connection.close();
    // The dead replica's slot comes back; the living one's renewed slot stays taken (cap 2 → one free).
    await expect
      .poll(async () => (await living.limiter.acquire("erin", { concurrency: 2 })).allowed, {
        timeout: 5_000,
      })
      .toBe(true);
    expect((await living.limiter.acquire("erin", { concurrency: 2 })).allowed).toBe(false);
    living.limiter.stop();
  });

  it("no limits configured means no Redis round trip at all", async () => {
    const a = await replica();
    await a.connection.close();
    expect((await a.limiter.acquire("frank", {})).allowed).toBe(true);
  });

  it("while Redis is down a limited request fails at once with a 503 error, and works again after", async () => {
    const a = await replica();
    await redis.stop();
    try {
      await expect(a.limiter.acquire("gina", { rpm: 10 })).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await redis.start();
    }
    await expect
      .poll(
        async () => (await a.limiter.acquire("gina", { rpm: 10 }).catch(() => ({ allowed: "down" }))).allowed,
        { timeout: 10_000 },
      )
      .toBe(true);
  });

  it("keeps one person's keys in one Cluster slot (one hash tag), whatever the case of the login", () => {
    expect(keys.person("Alice", "rpm")).toBe("lim:{alice}:rpm");
    expect(keys.person("alice", "inflight")).toBe("lim:{alice}:inflight");
    expect(() => keys.person("bad}login", "rpm")).toThrow(/Not a GitHub login/);
  });
});
