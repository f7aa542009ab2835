import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisChannels } from "../../../src/store/redis/redis-channels.js";
import { RedisConnection } from "../../../src/store/redis/redis-connection.js";
import { RedisKeys } from "../../../src/store/redis/redis-keys.js";
import { SharedTokens, type SharedTokenValue } from "../../../src/store/redis/shared-token.js";
import { RedisServer } from "../../services/redis-server.js";

let redis: RedisServer;
const cleanup: (() => unknown)[] = [];
const keys = new RedisKeys("tok");

/** The wall clock every replica reads: tests move it forward instead of sleeping through refresh periods. */
const clock = { now: Date.now() };

async function replica() {
  const connection = await RedisConnection.open({ url: redis.url });
  const channels = new RedisChannels(connection);
  cleanup.push(
    () => channels.close(),
    () => connection.close(),
  );
  return { connection, tokens: new SharedTokens(connection, channels, keys, { now: () => clock.now }) };
}

/** A pretend exchange that counts its calls and takes a while, as a real one over the network does. */
function exchanger(lifetimeMs: number) {
  const counter = { calls: 0 };
  const produce = async (): Promise<SharedTokenValue> => {
    counter.calls++;
    const n = counter.calls;
    await new Promise((r) => setTimeout(r, 100));
    const now = clock.now;
    return {
      payload: `sealed-${n}`,
      fingerprint: `fp${n}`,
      refreshAt: now + lifetimeMs,
      expiresAt: now + 2 * lifetimeMs,
    };
  };
  return { counter, produce };
}

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});
afterAll(async () => {
  await redis.dispose();
});

describe("SharedTokens: one exchange per token per refresh period across replicas", () => {
  it("twenty concurrent requests on two replicas make one exchange, and all get the same token", async () => {
    const a = await replica();
    const b = await replica();
    const { counter, produce } = exchanger(60_000);
    const tag = RedisKeys.tagOf("alice");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).tokens.get(tag, "copilot-token", produce)),
    );
    expect(counter.calls).toBe(1);
    expect(new Set(results.map((r) => r.payload))).toEqual(new Set(["sealed-1"]));
    // The token is in Redis under the person's hash tag, with a TTL, as `fingerprint|…` (the payload is sealed).
    const stored = await a.connection.run((r) => r.get("tok:{alice}:copilot-token"));
    expect(stored?.startsWith("fp1|")).toBe(true);
    expect(await a.connection.run((r) => r.pttl("tok:{alice}:copilot-token"))).toBeGreaterThan(60_000);
  });

  it("through several refresh periods both replicas together exchange once per period", async () => {
    const a = await replica();
    const b = await replica();
    const { counter, produce } = exchanger(60_000);
    const tag = RedisKeys.tagOf("bob");
    const seen: string[] = [];
    for (let period = 0; period < 4; period++) {
      const round = await Promise.all(
        [1, 2, 3].flatMap(() => [a, b].map((r) => r.tokens.get(tag, "copilot-token", produce))),
      );
      seen.push(...round.map((t) => t.payload));
      // This period's token falls due.
      clock.now += 61_000;
    }
    expect(counter.calls).toBe(4);
    expect([...new Set(seen)]).toEqual(["sealed-1", "sealed-2", "sealed-3", "sealed-4"]);
  });

  it("a token refused upstream is dropped only if it is still the stored one", async () => {
    const a = await replica();
    const b = await replica();
    const { counter, produce } = exchanger(60_000);
    const tag = RedisKeys.tagOf("carol");
    await a.tokens.get(tag, "copilot-token", produce);
    await b.tokens.invalidate(tag, "copilot-token", "fp-other");
    expect((await a.tokens.get(tag, "copilot-token", produce)).payload).toBe("sealed-1");
    await b.tokens.invalidate(tag, "copilot-token", "fp1");
    expect((await a.tokens.get(tag, "copilot-token", produce)).payload).toBe("sealed-2");
    expect(counter.calls).toBe(2);
  });

  it("installation tokens are shared the same way under the installation's own tag", async () => {
    const a = await replica();
    const b = await replica();
    const { counter, produce } = exchanger(60_000);
    const tag = RedisKeys.appTag(4242);
    await Promise.all([a, b, a, b].map((r) => r.tokens.get(tag, "installation-token", produce)));
    expect(counter.calls).toBe(1);
    expect(await a.connection.run((r) => r.exists("tok:{app-4242}:installation-token"))).toBe(1);
  });

  it("with Redis down a token is still exchanged, locally", async () => {
    const a = await replica();
    const { counter, produce } = exchanger(60_000);
    await redis.stop();
    try {
      expect((await a.tokens.get(RedisKeys.tagOf("dan"), "copilot-token", produce)).payload).toBe("sealed-1");
      expect(counter.calls).toBe(1);
    } finally {
      await redis.start();
    }
  });
});
