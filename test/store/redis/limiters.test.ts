import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisConcurrencyLimiter } from "../../../src/store/redis/concurrency-limiter.js";
import { RedisRateLimiter } from "../../../src/store/redis/rate-limiter.js";
import { RedisChannels } from "../../../src/store/redis/redis-channels.js";
import { RedisConnection } from "../../../src/store/redis/redis-connection.js";
import { RedisKeys } from "../../../src/store/redis/redis-keys.js";
import { StoreUnavailableError } from "../../../src/store/redis/store-unavailable.js";
import { RedisTeamEvents } from "../../../src/store/redis/team-events.js";
import { RedisUserAdmission } from "../../../src/store/redis/user-admission.js";
import { RedisServer } from "../../services/redis-server.js";
import {
  describeAdmissionContract,
  describeConcurrencyContract,
  describeRateLimiterContract,
  describeTeamEventsContract,
} from "../../team/limiter-contract.js";

let redis: RedisServer;
const cleanup: (() => unknown)[] = [];
let n = 0;

/** One connection per "replica", as two gateway processes would have. */
async function connect() {
  const connection = await RedisConnection.open({ url: redis.url });
  cleanup.push(() => connection.close());
  return connection;
}

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  await redis.dispose();
});

// The same contracts as the in-memory limiters and events, against the real redis-server.
describeRateLimiterContract(
  "Redis",
  async (perMinute) => new RedisRateLimiter(await connect(), new RedisKeys(`r${n++}`), perMinute),
);
describeConcurrencyContract("Redis", async (limit) => {
  const limiter = new RedisConcurrencyLimiter(await connect(), new RedisKeys(`c${n++}`), limit);
  cleanup.push(() => limiter.stop());
  return limiter;
});
describeAdmissionContract("Redis, one script", async (perMinute, slots) => {
  const connection = await connect();
  const keys = new RedisKeys(`a${n++}`);
  const rate = new RedisRateLimiter(connection, keys, perMinute);
  const concurrency = new RedisConcurrencyLimiter(connection, keys, slots);
  cleanup.push(() => concurrency.stop());
  return {
    admission: new RedisUserAdmission(connection, keys, { perMinute, concurrency }),
    rate,
    concurrency,
  };
});
describeTeamEventsContract("Redis pub/sub, two replicas", async () => {
  const keys = new RedisKeys(`e${n++}`);
  const buses: RedisTeamEvents[] = [];
  for (let i = 0; i < 2; i++) {
    const channels = new RedisChannels(await connect());
    cleanup.push(() => channels.close());
    const bus = new RedisTeamEvents(channels, keys);
    await bus.ready();
    buses.push(bus);
  }
  return [buses[0]!, buses[1]!];
});

describe("Redis limiters across replicas", () => {
  it("counts one person's requests per minute across two replicas", async () => {
    const keys = new RedisKeys("rpm2");
    const a = new RedisRateLimiter(await connect(), keys, 3);
    const b = new RedisRateLimiter(await connect(), keys, 3);
    const now = Date.now();
    const answers = [
      await a.consume("alice", now),
      await b.consume("Alice", now + 1),
      await a.consume("alice", now + 2),
    ];
    expect(answers.map((d) => d.remaining)).toEqual([2, 1, 0]);
    expect(await b.consume("alice", now + 3)).toMatchObject({ allowed: false, retryAfterMs: 59_997 });
    expect((await b.consume("bob", now + 3)).allowed).toBe(true);
  });

  it("caps requests in flight across replicas; a release on one frees a slot for the other", async () => {
    const keys = new RedisKeys("conc2");
    const a = new RedisConcurrencyLimiter(await connect(), keys, 2);
    const b = new RedisConcurrencyLimiter(await connect(), keys, 2);
    cleanup.push(
      () => a.stop(),
      () => b.stop(),
    );
    const first = await a.acquire("carol");
    expect(await b.acquire("carol")).toBeDefined();
    expect(await b.acquire("carol")).toBeUndefined();
    expect(await a.inFlight("carol")).toBe(2);
    first?.release();
    await expect.poll(() => b.inFlight("carol")).toBe(1);
    expect(await b.acquire("carol")).toBeDefined();
  });

  it("a replica that dies holding a slot gives it back when its lease runs out; a live one keeps renewing", async () => {
    const keys = new RedisKeys("lease");
    const dyingConnection = await RedisConnection.open({ url: redis.url });
    const dying = new RedisConcurrencyLimiter(dyingConnection, keys, 2, { leaseMs: 1_500 });
    const living = new RedisConcurrencyLimiter(await connect(), keys, 2, { leaseMs: 1_500 });
    cleanup.push(() => living.stop());
    expect(await living.acquire("erin")).toBeDefined();
    expect(await dying.acquire("erin")).toBeDefined();
    dying.stop(); // stops renewing, as a killed process would
    dyingConnection.client.disconnect();
    await expect.poll(() => living.inFlight("erin"), { timeout: 10_000, interval: 200 }).toBe(1);
    // The living replica's own slot has outlived several lease times: it is renewed while held.
    await new Promise((r) => setTimeout(r, 1_600));
    expect(await living.inFlight("erin")).toBe(1);
  });

  it("both limits cost one command per admitted request, counted across replicas; a dead replica's slot expires", async () => {
    const keys = new RedisKeys("both");
    const make = async () => {
      const connection = await RedisConnection.open({ url: redis.url });
      const concurrency = new RedisConcurrencyLimiter(connection, keys, 2, { leaseMs: 1_500 });
      return {
        connection,
        concurrency,
        admission: new RedisUserAdmission(connection, keys, { perMinute: 4, concurrency }),
      };
    };
    const a = await make();
    const b = await make();
    cleanup.push(
      () => a.concurrency.stop(),
      () => a.connection.close(),
    );
    // Every command Redis receives from a client (not those a script runs inside it) while one request is admitted.
    const monitor = await (await connect()).client.monitor();
    const seen: string[] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (!String(source).startsWith("lua")) seen.push(String(args[0]).toLowerCase());
    });
    await new Promise((r) => setTimeout(r, 100));
    const now = Date.now();
    const first = await a.admission.admit("hana", now);
    await expect.poll(() => seen.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(["evalsha"]);
    monitor.disconnect();
    // B holds the second slot, then dies without releasing it (a killed process).
    expect((await b.admission.admit("hana", now + 1)).allowed).toBe(true);
    b.concurrency.stop();
    b.connection.client.disconnect();
    expect(await a.admission.admit("hana", now + 2)).toEqual({
      allowed: false,
      reason: "concurrency",
      limit: 2,
    });
    // Its lease runs out while A's, renewed, stays: the slot is free again, and the refusals above did not use up the minute (4).
    await expect.poll(() => a.concurrency.inFlight("hana"), { timeout: 10_000, interval: 200 }).toBe(1);
    const third = await a.admission.admit("hana", now + 3);
    expect(third).toMatchObject({ allowed: true });
    if (first.allowed) first.slot?.release();
    if (third.allowed) third.slot?.release();
    await expect.poll(() => a.concurrency.inFlight("hana")).toBe(0);
    expect((await a.admission.admit("hana", now + 4)).allowed).toBe(true);
    expect(await a.admission.admit("hana", now + 5)).toMatchObject({ allowed: false, reason: "rate" });
  });

  it("while Redis is down a limited request fails at once with a 503 error, and is counted again after", async () => {
    const a = new RedisRateLimiter(await connect(), new RedisKeys("down"), 10);
    await redis.stop();
    try {
      await expect(a.consume("gina", Date.now())).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await redis.start();
    }
    await expect
      .poll(async () => (await a.consume("gina", Date.now()).catch(() => ({ allowed: "down" }))).allowed, {
        timeout: 10_000,
      })
      .toBe(true);
  });
});
