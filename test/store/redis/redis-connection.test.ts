import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors.js";
import {
  describeRedisUrl,
  RedisConnection,
  validateRedisUrl,
} from "../../../src/store/redis/redis-connection.js";
import { StoreUnavailableError } from "../../../src/store/redis/store-unavailable.js";
import { RedisServer } from "../../services/redis-server.js";

const testCa = readFileSync(fileURLToPath(new URL("../../copilot/tls/test-server.pem", import.meta.url)));

describe("RedisConnection against a real redis-server", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it("runs commands, fails at once while Redis is down, and recovers by itself when it returns", async () => {
    const states: string[] = [];
    const connection = await RedisConnection.open({
      url: redis.url,
      onStateChange: (ready) => states.push(ready ? "up" : "down"),
    });
    try {
      await connection.run((r) => r.set("k", "v"));
      expect(await connection.run((r) => r.get("k"))).toBe("v");
      expect(connection.ready).toBe(true);

      await redis.stop();
      await expect.poll(() => connection.ready).toBe(false);
      const started = performance.now();
      const failure = await connection.run((r) => r.get("k")).catch((e: unknown) => e);
      // No offline queue: the command is refused on the spot rather than waiting for a reconnection.
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect((failure as StoreUnavailableError).status).toBe(503);
      expect((failure as StoreUnavailableError).code).toBe("store_unavailable");
      expect((failure as Error).message).toContain(`redis://127.0.0.1:${redis.port}`);

      await redis.start();
      await expect.poll(() => connection.ready, { timeout: 10_000 }).toBe(true);
      // Started without persistence: the data is gone, the connection works again.
      expect(await connection.run((r) => r.get("k"))).toBeNull();
      expect(states).toEqual(["up", "down", "up"]);
    } finally {
      await connection.close();
    }
  });

  it("a Redis that stops answering (frozen, socket open) fails the command after the command timeout", async () => {
    const connection = await RedisConnection.open({ url: redis.url, commandTimeoutMs: 300 });
    try {
      const pid = await connection.run(async (r) =>
        Number(/process_id:(\d+)/.exec(await r.info("server"))?.[1]),
      );
      process.kill(pid, "SIGSTOP");
      try {
        const failure = await connection.run((r) => r.get("k")).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(StoreUnavailableError);
        expect((failure as Error).message).toContain("did not answer in time");
      } finally {
        process.kill(pid, "SIGCONT");
      }
      await expect
        .poll(() => connection.run((r) => r.ping()).catch(() => "down"), { timeout: 10_000 })
        .toBe("PONG");
    } finally {
      await connection.close();
    }
  });

  it("refuses to start on an unreachable Redis with one line naming the host, never the password", async () => {
    const down = new RedisServer({ password: "s3cret-pass" });
    down.port = 1; // nothing listens on port 1
    const failure = await RedisConnection.open({ url: down.url }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GatewayError);
    expect((failure as GatewayError).code).toBe("store_unreachable");
    expect((failure as Error).message).toContain("redis://127.0.0.1:1");
    expect((failure as Error).message).not.toContain("s3cret-pass");
  });
});

describe("RedisConnection with a password and with TLS", () => {
  it("authenticates with the password in the URL and refuses a wrong one clearly", async () => {
    const redis = await RedisServer.start({ password: "p@ss word" });
    try {
      const connection = await RedisConnection.open({ url: redis.url });
      expect(await connection.run((r) => r.ping())).toBe("PONG");
      await connection.close();
      const wrong = redis.url.replace(encodeURIComponent("p@ss word"), "wrong");
      const failure = await RedisConnection.open({ url: wrong }).catch((e: unknown) => e);
      expect((failure as GatewayError).code).toBe("store_auth_failed");
      expect((failure as Error).message).not.toContain("wrong");
    } finally {
      await redis.dispose();
    }
  });

  it("speaks TLS with rediss:// and the CA given", async () => {
    const redis = await RedisServer.start({ tls: true, password: "tls-pass" });
    try {
      expect(redis.url.startsWith("rediss://")).toBe(true);
      const connection = await RedisConnection.open({ url: redis.url, ca: testCa });
      expect(await connection.run((r) => r.ping())).toBe("PONG");
      await connection.close();
      // Without the CA the certificate is not trusted: refused, never sent in clear.
      const failure = await RedisConnection.open({ url: redis.url }).catch((e: unknown) => e);
      expect((failure as GatewayError).code).toBe("store_unreachable");
    } finally {
      await redis.dispose();
    }
  });
});

describe("Redis URL checks", () => {
  it("accepts redis:// and rediss://, refuses other schemes, and never shows credentials", () => {
    expect(validateRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(() => validateRedisUrl("http://x")).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => validateRedisUrl("not a url")).toThrow(/Invalid --redis URL/);
    expect(describeRedisUrl("rediss://u:secret@cache.example.com:6380/2")).toBe(
      "rediss://cache.example.com:6380",
    );
  });
});
