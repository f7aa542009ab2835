import { describe, expect, it } from "vitest";
import type { CopilotTokenCache } from "../../src/team/copilot-token-cache.js";
import type { TeamEvent, TeamEvents } from "../../src/team/team-events.js";
import type { UserAdmission } from "../../src/team/user-admission.js";
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

/** An admission with the two limiters it decides for, reading the same counts (to look at them). */
export interface AdmissionUnderTest {
  admission: UserAdmission;
  rate: UserRateLimiter;
  concurrency: UserConcurrencyLimiter;
}

/** Behaviour every `UserAdmission` must have: both limits at once, a refusal by either counts against neither. */
export function describeAdmissionContract(
  name: string,
  make: (perMinute: number, slots: number) => Promise<AdmissionUnderTest>,
) {
  describe(`UserAdmission contract: ${name}`, () => {
    const t = Date.now();
    it("admits within both limits, holding a slot until released and counting the minute", async () => {
      const { admission, rate, concurrency } = await make(3, 1);
      const first = await admission.admit("alice", t);
      expect(first).toMatchObject({ allowed: true });
      expect(await concurrency.inFlight("alice")).toBe(1);
      expect(await rate.peek("alice", t)).toMatchObject({ remaining: 2 });
      // No slot free: refused, and the minute is not used up by the refusal.
      expect(await admission.admit("ALICE", t + 1)).toEqual({
        allowed: false,
        reason: "concurrency",
        limit: 1,
      });
      expect(await rate.peek("alice", t + 1)).toMatchObject({ remaining: 2 });
      // Another person is not affected.
      const bob = await admission.admit("bob", t + 1);
      expect(bob.allowed).toBe(true);
      if (first.allowed) first.slot?.release();
      await expect.poll(() => concurrency.inFlight("alice")).toBe(0);
      const second = await admission.admit("alice", t + 2);
      expect(second.allowed).toBe(true);
      if (second.allowed) second.slot?.release();
      if (bob.allowed) bob.slot?.release();
    });

    it("a minute used up refuses with the wait, taking no slot", async () => {
      const { admission, concurrency } = await make(2, 5);
      for (let i = 0; i < 2; i++) {
        const admitted = await admission.admit("carol", t + i * 10_000);
        if (admitted.allowed) admitted.slot?.release();
      }
      await expect.poll(() => concurrency.inFlight("carol")).toBe(0);
      expect(await admission.admit("carol", t + 20_000)).toEqual({
        allowed: false,
        reason: "rate",
        limit: 2,
        retryAfterMs: 40_000,
      });
      expect(await concurrency.inFlight("carol")).toBe(0);
      // Over both limits at once: the minute is what the person is told about (it lasts longer).
      const { admission: both } = await make(1, 1);
      const held = await both.admit("dan", t);
      expect(held.allowed).toBe(true);
      expect(await both.admit("dan", t + 1)).toMatchObject({ allowed: false, reason: "rate" });
      if (held.allowed) held.slot?.release();
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
