import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisChannels } from "../../src/store/redis/redis-channels.js";
import { RedisConnection } from "../../src/store/redis/redis-connection.js";
import { RedisKeys } from "../../src/store/redis/redis-keys.js";
import { RedisStore } from "../../src/store/redis/redis-store.js";
import { StoreUnavailableError } from "../../src/store/redis/store-unavailable.js";
import { RedisServer } from "../services/redis-server.js";
import { describeStoreContract } from "./store-contract.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.dispose();
});

/** A replica's store: its own connection and pub/sub channels, key lookups cached locally. */
async function replicaStore(keys: RedisKeys) {
  const connection = await RedisConnection.open({ url: redis.url });
  const channels = new RedisChannels(connection);
  const store = new RedisStore(connection, keys, { channels });
  await channels.ready();
  return {
    connection,
    store,
    close: async () => {
      await store.close();
      channels.close();
      await connection.close();
    },
  };
}

// Each test gets its own prefix on the one real redis-server; "reopen" is a new replica on the same data.
describeStoreContract("Redis (real redis-server, key cache on)", async () => {
  const keys = new RedisKeys(`t${randomUUID().slice(0, 8)}`);
  let replica = await replicaStore(keys);
  return {
    store: replica.store,
    reopen: async () => {
      await replica.close();
      replica = await replicaStore(keys);
      return replica.store;
    },
    dispose: () => replica.close(),
  };
});

describeStoreContract("Redis (no cache, as the CLI uses it)", async () => {
  const connection = await RedisConnection.open({ url: redis.url });
  return {
    store: new RedisStore(connection, new RedisKeys(`u${randomUUID().slice(0, 8)}`)),
    dispose: () => connection.close(),
  };
});

/** How many commands Redis has processed in all (the INFO that asks counts as one). */
async function commandCount(connection: RedisConnection): Promise<number> {
  const info = await connection.run((r) => r.info("stats"));
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1]);
}

describe("Redis store specifics", () => {
  it("serves a key seen recently from the replica's cache, and a revocation on another replica ends that at once", async () => {
    const keys = new RedisKeys(`x${randomUUID().slice(0, 8)}`);
    const a = await replicaStore(keys);
    const b = await replicaStore(keys);
    try {
      await a.store.createSignIn({
        id: "s1",
        via: "connect",
        keyName: "laptop",
        sealedDeviceCode: "v1.sealed",
        userCode: "ABCD-1234",
        verificationUri: "https://github.com/login/device",
        intervalSeconds: 5,
        createdAt: 1,
        expiresAt: 2,
        nextPollAt: 1,
        status: "pending",
      });
      const hash = "e".repeat(64);
      await a.store.completeSignIn({
        signInId: "s1",
        user: { login: "alice", githubId: 1, orgs: ["acme"], createdAt: 1, lastSignInAt: 1 },
        token: { login: "alice", sealed: "v1.abc.sealed", host: "github.com", updatedAt: 1 },
        key: { id: "k1", login: "alice", name: "laptop", hash, hint: "abcd", createdAt: 1 },
        audit: [],
      });
      // Signed in on A, found on B; a second lookup on B is answered without asking Redis.
      expect((await b.store.findApiKey(hash))?.user.login).toBe("alice");
      const before = await commandCount(b.connection);
      for (let i = 0; i < 20; i++) expect((await b.store.findApiKey(hash))?.key.id).toBe("k1");
      expect((await commandCount(b.connection)) - before).toBe(1); // only our own INFO call

      await a.store.revokeApiKey("k1", "admin", 5, { at: 5, actor: "admin", action: "key_revoked" });
      // expect.poll gives up after 1 s: B must see the revocation within that.
      await expect
        .poll(async () => (await b.store.findApiKey(hash))?.key.revokedAt, { timeout: 1_000 })
        .toBe(5);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a sign-in completes in one atomic command: nothing half-done if Redis stops between steps", async () => {
    const keys = new RedisKeys(`cs${randomUUID().slice(0, 8)}`);
    const connection = await RedisConnection.open({ url: redis.url });
    const store = new RedisStore(connection, keys);
    const signIn = (id: string) =>
      store.createSignIn({
        id,
        via: "page",
        keyName: "laptop",
        sealedDeviceCode: "v1.sealed",
        userCode: "ABCD-1234",
        verificationUri: "https://github.com/login/device",
        intervalSeconds: 5,
        createdAt: 1,
        expiresAt: 2,
        nextPollAt: 1,
        status: "pending",
      });
    const completion = (id: string, keyId: string, hash: string) => ({
      signInId: id,
      user: { login: "Jo", githubId: 9, orgs: ["acme"], createdAt: 1, lastSignInAt: 1 },
      token: { login: "Jo", sealed: "v1.abc.sealed", host: "github.com", updatedAt: 1 },
      key: { id: keyId, login: "Jo", name: "laptop", hash, hint: "abcd", createdAt: 1 },
      session: { id: `sess-${id}`, login: "Jo", createdAt: 1, expiresAt: 99 },
      audit: [{ at: 1, actor: "Jo", action: "sign_in" as const }],
    });
    try {
      await signIn("s1");
      // Every command a client sends (not those the script runs inside Redis) while the sign-in completes.
      const monitor = await connection.client.duplicate().monitor();
      const sent: string[] = [];
      monitor.on("monitor", (_t: string, args: string[], source: string) => {
        if (!String(source).startsWith("lua")) sent.push(String(args[0]).toLowerCase());
      });
      await new Promise((r) => setTimeout(r, 100));
      const user = await store.completeSignIn(completion("s1", "k1", "f".repeat(64)));
      await new Promise((r) => setTimeout(r, 100));
      monitor.disconnect();
      // One write for all of it (Redis runs a script entirely or not at all), then the person read back.
      expect(sent).toEqual(["evalsha", "hgetall"]);
      expect(user.login).toBe("Jo");
      expect((await store.findApiKey("f".repeat(64)))?.user.login).toBe("Jo");
      expect((await store.getSignIn("s1"))?.status).toBe("complete");
      expect((await store.getPageSession("sess-s1"))?.login).toBe("Jo");
      expect((await store.listAudit({ limit: 10 })).map((e) => e.action)).toEqual(["sign_in"]);
      // Refused as a whole: a taken key hash leaves the sign-in pending and writes nothing else.
      await signIn("s2");
      await expect(store.completeSignIn(completion("s2", "k2", "f".repeat(64)))).rejects.toMatchObject({
        code: "store_key_exists",
      });
      expect((await store.getSignIn("s2"))?.status).toBe("pending");
      expect(await store.getPageSession("sess-s2")).toBeUndefined();
      expect((await store.listApiKeys("Jo")).map((k) => k.id)).toEqual(["k1"]);
      // A sign-in already complete: the new key's hash is not claimed.
      await expect(store.completeSignIn(completion("s1", "k3", "a".repeat(64)))).rejects.toMatchObject({
        code: "sign_in_not_pending",
      });
      expect(await store.findApiKey("a".repeat(64))).toBeUndefined();
      expect(await connection.run((r) => r.exists(keys.scoped("{keys}", "id:k3")))).toBe(0);
    } finally {
      await connection.close();
    }
  });

  it("keeps every key of one person under their hash tag, and no token in clear", async () => {
    const keys = new RedisKeys("tag");
    const connection = await RedisConnection.open({ url: redis.url });
    try {
      const store = new RedisStore(connection, keys);
      await store.createSignIn({
        id: "s1",
        via: "connect",
        keyName: "laptop",
        sealedDeviceCode: "v1.sealed",
        userCode: "ABCD-1234",
        verificationUri: "https://github.com/login/device",
        intervalSeconds: 5,
        createdAt: 1,
        expiresAt: 2,
        nextPollAt: 1,
        status: "pending",
      });
      await store.completeSignIn({
        signInId: "s1",
        user: { login: "Octo-Cat", githubId: 1, orgs: [], createdAt: 1, lastSignInAt: 1 },
        token: { login: "Octo-Cat", sealed: "v1.abc.sealed", host: "github.com", updatedAt: 1 },
        key: {
          id: "k1",
          login: "Octo-Cat",
          name: "laptop",
          hash: "f".repeat(64),
          hint: "abcd",
          createdAt: 1,
        },
        audit: [{ at: 1, actor: "Octo-Cat", action: "sign_in" }],
      });
      const all = (await connection.run((r) => r.keys("tag:*"))).sort();
      const personal = all.filter((k) => k.includes("{octo-cat}"));
      expect(personal.sort()).toEqual([
        "tag:{octo-cat}:key:k1",
        "tag:{octo-cat}:keyids",
        "tag:{octo-cat}:token",
        "tag:{octo-cat}:user",
      ]);
      // Everything else sits under one of the few index tags.
      for (const k of all.filter((k) => !k.includes("{octo-cat}")))
        expect(k).toMatch(/^tag:\{(keys|signins|sessions|users|audit)\}:/);
      // The empty org list survives (no Lua JSON round trip turns [] into {}).
      expect((await store.getUser("octo-cat"))?.orgs).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  it("fails fast with a 503 error while Redis is down, and works again when it is back", async () => {
    const connection = await RedisConnection.open({ url: redis.url });
    const store = new RedisStore(connection, new RedisKeys("down"));
    try {
      await redis.stop();
      await expect(store.findApiKey("a".repeat(64))).rejects.toBeInstanceOf(StoreUnavailableError);
      await redis.start();
      await expect
        .poll(() => store.findApiKey("a".repeat(64)).catch(() => "down"), { timeout: 10_000 })
        .toBeUndefined();
    } finally {
      await connection.close();
    }
  });
});
