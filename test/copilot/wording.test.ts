import { describe, expect, it } from "vitest";
import { expiresIn, planName, premiumLabel, quotaFacts, quotaLeft } from "../../src/copilot/wording.js";

describe("one wording of Copilot facts (CLI and page)", () => {
  it("names the plan in words from copilot_plan, refined or replaced by the sku", () => {
    expect(planName({ plan: "business", sku: "copilot_enterprise_seat" })).toBe("Copilot Business");
    expect(planName({ plan: "enterprise" })).toBe("Copilot Enterprise");
    expect(planName({ plan: "free", sku: "free_limited_copilot" })).toBe("Copilot Free");
    expect(planName({ plan: "individual", sku: "monthly_subscriber" })).toBe("Copilot Pro");
    expect(planName({ plan: "individual", sku: "copilot_pro_plus_monthly" })).toBe("Copilot Pro+");
    expect(planName({ sku: "copilot_for_business_seat" })).toBe("Copilot Business");
    expect(planName({ sku: "copilot_for_business_seat_quota" })).toBe("Copilot Business");
    expect(planName({ sku: "copilot_enterprise_seat_multi_quota" })).toBe("Copilot Enterprise");
    expect(planName({ sku: "free_limited_copilot" })).toBe("Copilot Free");
    expect(planName({ sku: "yearly_subscriber" })).toBe("Copilot Pro");
    expect(planName({ sku: "something_new" })).toBe("Copilot (something_new)");
    expect(planName({})).toBe("unknown");
  });

  it('words a quota as "712 of 1,000 left", unlimited the same everywhere', () => {
    expect(quotaLeft({ entitlement: 1000, remaining: 712, unlimited: false, overage: 0 })).toBe(
      "712 of 1,000 left",
    );
    expect(quotaLeft({ entitlement: 300, remaining: 0, unlimited: false, overage: 12 })).toBe(
      "0 of 300 left, 12 over",
    );
    expect(quotaLeft({ entitlement: 0, remaining: 0, unlimited: true, overage: 0 })).toBe("unlimited");
    expect(quotaLeft(undefined)).toBe("not reported");
    // quota_remaining (with its fraction) wins over remaining; Copilot Free's maps stand in for snapshots.
    expect(
      quotaLeft(
        quotaFacts(
          { quota_snapshots: { chat: { entitlement: 300, remaining: 93, quota_remaining: 93.5 } } },
          "chat",
        ),
      ),
    ).toBe("93.5 of 300 left");
    expect(
      quotaLeft(quotaFacts({ monthly_quotas: { chat: 50 }, limited_user_quotas: { chat: 40 } }, "chat")),
    ).toBe("40 of 50 left");
  });

  it("words the premium column the same in `models` and on the page", () => {
    expect(premiumLabel({ is_premium: false, multiplier: 0 })).toBe("included");
    expect(premiumLabel({ is_premium: true, multiplier: 1 })).toBe("×1");
    expect(premiumLabel({ is_premium: true, multiplier: 0.33 })).toBe("×0.33");
    expect(premiumLabel({ is_premium: true })).toBe("premium");
    expect(premiumLabel(undefined)).toBe("unknown");
  });

  it("says a token's expiry relative to now", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(expiresIn(now + 24 * 60_000, now)).toBe("expires in 24 min");
    expect(expiresIn(now + 90 * 60_000, now)).toBe("expires in 1 h 30 min");
    expect(expiresIn(now - 3 * 60_000, now)).toBe("expired 3 min ago");
  });
});
