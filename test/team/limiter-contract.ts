import { describe, expect, it } from "vitest";
import type { CopilotTokenCache } from "../../src/team/copilot-token-cache.js";
import type { TeamEvent, TeamEvents } from "../../src/team/team-events.js";
import type { UserConcurrencyLimiter } from "../../src/team/user-concurrency.js";
import type { UserRateLimiter } from "../../src/team/user-rate-limiter.js";

/** Behaviour every `UserRateLimiter` must have; `make(perMinute)` returns a fresh, empty one. */
export function describeRateLimiterContract(
  name: string,
  make: (perMinute: number) => Promise<UserRateLimiter>,
) {
  describe(`UserRateLimiter contract: ${name}`, () => {
    const t = 1_800_000_000_000;
    it("allows perMinute requests in a sliding minute, then refuses with the wait until a slot frees", async () => {
      const limiter = await make(2);
      expect(await limiter.consume("alice", t)).toEqual({
        allowed: true,
        retryAfterMs: 0,
        limit: 2,
        remaining: 1,
      });
      expect(await limiter.consume("Alice", t + 10_000)).toMatchObject({ allowed: true, remaining: 0 });
      expect(await limiter.consume("alice", t + 20_000)).toEqual({
        allowed: false,
        retryAfterMs: 40_000,
        limit: 2,
        remaining: 0,
      });
      // A refused request does not count: one slot frees when the first request is a minute old.
      expect(await limiter.peek("alice", t + 60_001)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await limiter.consume("alice", t + 60_001)).toMatchObject({ allowed: true, remaining: 0 });
      expect(await limiter.consume("alice", t + 60_002)).toMatchObject({
        allowed: false,
        retryAfterMs: 9_998,
      });
    });

    it("counts each person separately", async () => {
      const limiter = await make(1);
      expect((await limiter.consume("alice", t)).allowed).toBe(true);
      expect((await limiter.consume("alice", t)).allowed).toBe(false);
      expect((await limiter.consume("bob", t)).allowed).toBe(true);
    });
  });
}

/** Behaviour every `UserConcurrencyLimiter` must have. */
export function describeConcurrencyContract(
  name: string,
  make: (limit: number) => Promise<UserConcurrencyLimiter>,
) {
  describe(`UserConcurrencyLimiter contract: ${name}`, () => {
    it("grants limit slots per person; a release (once, even if called twice) frees one", async () => {
      const limiter = await make(2);
      const a = await limiter.acquire("alice");
      const b = await limiter.acquire("ALICE");
      expect(a && b).toBeTruthy();
      expect(await limiter.acquire("alice")).toBeUndefined();
      expect(await limiter.acquire("bob")).toBeDefined();
      expect(await limiter.inFlight("alice")).toBe(2);
      a!.release();
      a!.release();
      expect(await limiter.inFlight("alice")).toBe(1);
      expect(await limiter.acquire("alice")).toBeDefined();
      expect(await limiter.acquire("alice")).toBeUndefined();
    });
  });
}

/** Behaviour every `TeamEvents` must have: a published event reaches every subscriber, unsubscribing stops it. */
export function describeTeamEventsContract(name: string, make: () => Promise<[TeamEvents, TeamEvents]>) {
  describe(`TeamEvents contract: ${name}`, () => {
    it("delivers to every subscriber (including other instances sharing the bus)", async () => {
      const [one, two] = await make();
      const seenOne: TeamEvent[] = [];
      const seenTwo: TeamEvent[] = [];
      const offOne = one.subscribe((e) => seenOne.push(e));
      two.subscribe((e) => seenTwo.push(e));
      const event: TeamEvent = {
        type: "key_revoked",
        login: "alice",
        keyId: "key_1",
        keyHash: "a".repeat(64),
      };
      await one.publish(event);
      await expect.poll(() => seenTwo).toEqual([event]);
      expect(seenOne).toEqual([event]);
      offOne();
      await one.publish({ type: "user_disabled", login: "bob" });
      await expect.poll(() => seenTwo.length).toBe(2);
      expect(seenOne).toHaveLength(1);
      await one.close();
      if (two !== one) await two.close();
    });
  });
}

/** Behaviour every `CopilotTokenCache` must have. */
export function describeTokenCacheContract(name: string, make: () => Promise<CopilotTokenCache>) {
  describe(`CopilotTokenCache contract: ${name}`, () => {
    it("keeps a sealed value per person until deleted", async () => {
      const cache = await make();
      expect(await cache.get("alice")).toBeUndefined();
      await cache.set("alice", "v1.sealed", 60_000);
      expect(await cache.get("ALICE")).toBe("v1.sealed");
      expect(await cache.get("bob")).toBeUndefined();
      await cache.delete("alice");
      expect(await cache.get("alice")).toBeUndefined();
    });
  });
}
