import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { KeyLookupCache } from "../../../src/store/redis/key-lookup-cache.js";
import { LiveLogBus } from "../../../src/store/redis/live-log-bus.js";
import { RedisChannels } from "../../../src/store/redis/redis-channels.js";
import { RedisConnection } from "../../../src/store/redis/redis-connection.js";
import { RedisKeys } from "../../../src/store/redis/redis-keys.js";
import { RevocationBus } from "../../../src/store/redis/revocation-bus.js";
import { RedisServer } from "../../services/redis-server.js";

let redis: RedisServer;
const cleanup: (() => unknown)[] = [];
const keys = new RedisKeys("ps");

async function replica() {
  const connection = await RedisConnection.open({ url: redis.url });
  const channels = new RedisChannels(connection);
  cleanup.push(
    () => channels.close(),
    () => connection.close(),
  );
  return { connection, channels };
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

describe("revocations reach every replica's key cache", () => {
  it("a key revoked on A is dropped from B's cache at once; a person revoked drops all their keys", async () => {
    const a = await replica();
    const b = await replica();
    const cacheB = new KeyLookupCache<{ login: string; key: string }>();
    const busB = new RevocationBus(b.connection, keys);
    busB.listen(
      b.channels,
      (r) => ("keyHash" in r ? cacheB.dropKey(r.keyHash) : cacheB.dropLogin(r.login)),
      () => cacheB.clear(),
    );
    await b.channels.ready();
    let loads = 0;
    const load = (login: string, key: string) => async () => {
      loads++;
      return { login, key };
    };
    await cacheB.lookup("h1", load("Alice", "k1"));
    await cacheB.lookup("h2", load("alice", "k2"));
    await cacheB.lookup("h3", load("bob", "k3"));
    await cacheB.lookup("h1", load("Alice", "k1"));
    expect(loads).toBe(3); // the fourth lookup was served from the cache

    await new RevocationBus(a.connection, keys).publish({ keyHash: "h1" });
    // expect.poll gives up after 1 s: the revocation must have arrived by then.
    await expect.poll(() => cacheB.size, { timeout: 1_000 }).toBe(2);
    await new RevocationBus(a.connection, keys).publish({ login: "ALICE" });
    await expect.poll(() => cacheB.size, { timeout: 1_000 }).toBe(1);
    await cacheB.lookup("h3", load("bob", "k3"));
    expect(loads).toBe(3);
  });

  it("a lookup that raced a revocation is not cached", async () => {
    const cache = new KeyLookupCache<{ login: string }>();
    let release = () => {};
    const slow = cache.lookup(
      "h",
      () =>
        new Promise((r) => {
          release = () => r({ login: "carol" });
        }),
    );
    cache.dropKey("h");
    release();
    await slow;
    expect(cache.size).toBe(0);
  });

  it("after the subscriber reconnects (messages may have been missed) the whole cache is dropped", async () => {
    const b = await replica();
    const cache = new KeyLookupCache<{ login: string }>();
    new RevocationBus(b.connection, keys).listen(
      b.channels,
      () => {},
      () => cache.clear(),
    );
    await b.channels.ready();
    await cache.lookup("h", async () => ({ login: "dora" }));
    expect(cache.size).toBe(1);
    await redis.stop();
    await redis.start();
    await expect.poll(() => cache.size, { timeout: 10_000 }).toBe(0);
  });

  it("unknown keys are remembered briefly and entries expire after their TTL", async () => {
    let now = 0;
    const cache = new KeyLookupCache<{ login: string }>({ ttlMs: 100, negativeTtlMs: 10, now: () => now });
    let loads = 0;
    const miss = async () => {
      loads++;
      return undefined;
    };
    await cache.lookup("bad", miss);
    await cache.lookup("bad", miss);
    expect(loads).toBe(1);
    now = 11;
    await cache.lookup("bad", miss);
    expect(loads).toBe(2);
  });
});

describe("the live log across replicas", () => {
  it("each replica hears the others' entries (validated), never its own", async () => {
    const a = await replica();
    const b = await replica();
    const schema = z.object({ path: z.string(), status: z.number() });
    const logA = new LiveLogBus(a.channels, keys, "A", schema);
    const logB = new LiveLogBus(b.channels, keys, "B", schema);
    const heardA: string[] = [];
    const heardB: string[] = [];
    logA.listen((e, from) => heardA.push(`${from}${e.path}`));
    logB.listen((e, from) => heardB.push(`${from}${e.path}`));
    await Promise.all([a.channels.ready(), b.channels.ready()]);
    logA.publish({ path: "/v1/chat/completions", status: 200 });
    logB.publish({ path: "/v1/messages", status: 200 });
    await a.channels.publish(keys.channel("log"), JSON.stringify({ replica: "X", entries: [{ path: 1 }] }));
    await expect.poll(() => heardB).toEqual(["A/v1/chat/completions"]);
    await expect.poll(() => heardA).toEqual(["B/v1/messages"]);
  });

  it("a burst of requests goes out as one message, in order", async () => {
    const a = await replica();
    const b = await replica();
    const schema = z.object({ n: z.number() });
    const logA = new LiveLogBus(a.channels, keys, "A", schema);
    const heard: number[] = [];
    new LiveLogBus(b.channels, keys, "B", schema).listen((e) => heard.push(e.n));
    await Promise.all([a.channels.ready(), b.channels.ready()]);
    const monitor = await a.connection.client.duplicate().monitor();
    const published: string[] = [];
    monitor.on("monitor", (_t: string, args: string[]) => {
      if (String(args[0]).toLowerCase() === "publish" && args[1] === keys.channel("log"))
        published.push(args[2]!);
    });
    await new Promise((r) => setTimeout(r, 100));
    for (let n = 0; n < 20; n++) logA.publish({ n });
    await expect.poll(() => heard).toHaveLength(20);
    expect(heard).toEqual([...Array(20).keys()]);
    await new Promise((r) => setTimeout(r, 50));
    expect(published).toHaveLength(1);
    monitor.disconnect();
  });
});
