import { describe, expect, it } from "vitest";
import { createMemoryCopilotTokenCache } from "../../src/team/copilot-token-cache.js";
import { createMemoryTeamEvents } from "../../src/team/team-events.js";
import { composeAdmission } from "../../src/team/user-admission.js";
import { createMemoryConcurrencyLimiter } from "../../src/team/user-concurrency.js";
import { createMemoryRateLimiter } from "../../src/team/user-rate-limiter.js";
import {
  describeAdmissionContract,
  describeConcurrencyContract,
  describeRateLimiterContract,
  describeTeamEventsContract,
  describeTokenCacheContract,
} from "./limiter-contract.js";

describeRateLimiterContract("memory", async (n) => createMemoryRateLimiter(n));
describeConcurrencyContract("memory", async (n) => createMemoryConcurrencyLimiter(n));
describeAdmissionContract("memory, the two limiters composed", async (perMinute, slots) => {
  const rate = createMemoryRateLimiter(perMinute);
  const concurrency = createMemoryConcurrencyLimiter(slots);
  return { admission: composeAdmission(rate, concurrency), rate, concurrency };
});
describeTeamEventsContract("memory", async () => {
  const bus = createMemoryTeamEvents();
  return [bus, bus];
});
describeTokenCacheContract("memory", async () => createMemoryCopilotTokenCache());

describe("memory Copilot token cache", () => {
  it("forgets an entry at its time to live", async () => {
    let now = 1000;
    const cache = createMemoryCopilotTokenCache(() => now);
    await cache.set("alice", "v1.x", 500);
    now = 1499;
    expect(await cache.get("alice")).toBe("v1.x");
    now = 1500;
    expect(await cache.get("alice")).toBeUndefined();
  });
});
