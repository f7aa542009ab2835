import { describe, expect, it } from "vitest";
import { copilotUsageSchema } from "../../src/copilot/usage.js";
import { seatQuota } from "../../src/team/seat-quota.js";
import { fixtureJson } from "../fake-upstream/fixtures.js";

describe("a person's seat on the team page", () => {
  it("words the plan and each quota as the CLI and the single-user page do", () => {
    const usage = copilotUsageSchema.parse(fixtureJson<Record<string, unknown>>("copilot-user.json"));
    const quota = seatQuota(usage, 0);
    expect(quota.plan).toBe("Copilot Business");
    expect(Object.fromEntries(quota.quotas.map((q) => [q.id, q.text]))).toEqual({
      chat: "unlimited",
      completions: "unlimited",
      premium_interactions: "93.5 of 300 left",
    });
  });

  it("words Copilot Free's allowances the same way", () => {
    const usage = copilotUsageSchema.parse({
      copilot_plan: "free",
      limited_user_quotas: { chat: 40 },
      monthly_quotas: { chat: 1000 },
    });
    const quota = seatQuota(usage, 0);
    expect(quota.plan).toBe("Copilot Free");
    expect(quota.quotas.map((q) => q.text)).toEqual(["40 of 1,000 left"]);
  });
});
