/**
 * The one wording of Copilot facts that the CLI (`status`, `usage`, `login`, `models`) and the web page share:
 * the plan in words, a quota as "712 of 1,000 left", a model's premium cost, a token's expiry. A fact reads the
 * same wherever a user meets it.
 */
import { formatDuration } from "./limits/reset-time.js";

/** `copilot_plan` values (spec §5) in words. */
const PLAN_NAMES: Record<string, string> = {
  free: "Copilot Free",
  individual: "Copilot Pro",
  individual_pro: "Copilot Pro+",
  business: "Copilot Business",
  enterprise: "Copilot Enterprise",
};

/** The plan a raw sku (`copilot_for_business_seat_quota`, `free_limited_copilot`, …, spec §3) stands for. */
function planFromSku(sku: string): string | undefined {
  const s = sku.toLowerCase();
  if (s.includes("enterprise")) return "Copilot Enterprise";
  if (s.includes("business")) return "Copilot Business";
  if (s.includes("free")) return "Copilot Free";
  if (s.includes("plus") || s.includes("pro_plus")) return "Copilot Pro+";
  if (s.includes("subscriber") || s.includes("individual") || s.includes("pro")) return "Copilot Pro";
  if (s.includes("educ") || s.includes("student") || s.includes("teacher")) return "Copilot Pro (education)";
  return undefined;
}

/**
 * "Copilot Business", "Copilot Free"… `copilot_plan` wins when known: the token's sku and the account's
 * `access_type_sku` can disagree (captures show a business plan with an enterprise-seat sku), and the plan is the
 * one both `status` and the page read. The sku only refines an individual plan (Pro vs Pro+), or stands in when no
 * plan was answered. Unknown values are shown as they are rather than guessed.
 */
export function planName(facts: {
  plan?: string | null | undefined;
  sku?: string | null | undefined;
}): string {
  const plan = facts.plan?.trim().toLowerCase();
  const sku = facts.sku?.trim();
  const fromSku = sku ? planFromSku(sku) : undefined;
  if (plan && PLAN_NAMES[plan]) {
    if (plan === "individual" && fromSku === "Copilot Pro+") return fromSku;
    return PLAN_NAMES[plan] as string;
  }
  if (fromSku) return fromSku;
  if (plan) return `Copilot ${plan}`;
  return sku ? `Copilot (${sku})` : "unknown";
}

/** A quota normalised from `quota_snapshots` or Copilot Free's `monthly_quotas`/`limited_user_quotas`. */
export interface QuotaFacts {
  entitlement: number;
  remaining: number;
  unlimited: boolean;
  overage: number;
}

interface SnapshotLike {
  entitlement?: number | undefined;
  remaining?: number | undefined;
  quota_remaining?: number | undefined;
  unlimited?: boolean | undefined;
  overage_count?: number | undefined;
}

interface UsageLike {
  quota_snapshots?: Record<string, SnapshotLike | undefined> | undefined;
  monthly_quotas?: Record<string, number> | null | undefined;
  limited_user_quotas?: Record<string, number> | null | undefined;
}

/**
 * One quota of `copilot_internal/user`. `quota_remaining` is preferred to `remaining`: it keeps the fraction that
 * cheaper models use up (93.5 where `remaining` says 93), and `percent_remaining` agrees with it.
 */
export function quotaFacts(usage: UsageLike, key: "premium_interactions" | "chat" | "completions") {
  const s = usage.quota_snapshots?.[key];
  if (s) {
    return {
      entitlement: s.entitlement ?? 0,
      remaining: s.quota_remaining ?? s.remaining ?? 0,
      unlimited: s.unlimited === true,
      overage: s.overage_count ?? 0,
    } satisfies QuotaFacts;
  }
  // Copilot Free reports its allowance and what is left in two maps instead of snapshots.
  const entitlement = usage.monthly_quotas?.[key];
  const remaining = usage.limited_user_quotas?.[key];
  if (entitlement === undefined || remaining === undefined) return undefined;
  return { entitlement, remaining, unlimited: false, overage: 0 } satisfies QuotaFacts;
}

/** 1000 → "1,000"; 93.5 → "93.5" (one decimal at most, en-US grouping, the same on every machine). */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

/** "712 of 1,000 left", "0 of 300 left, 12 over", "unlimited", or "not reported". */
export function quotaLeft(quota: QuotaFacts | undefined): string {
  if (!quota) return "not reported";
  if (quota.unlimited) return "unlimited";
  const over = quota.overage > 0 ? `, ${formatCount(quota.overage)} over` : "";
  return `${formatCount(Math.max(0, quota.remaining))} of ${formatCount(quota.entitlement)} left${over}`;
}

/**
 * A model's cost in premium requests: "included" (not premium), "×0.33"/"×1"/"×10" (the catalogue's multiplier),
 * "premium" (premium, multiplier not given), or "unknown" (the catalogue has no billing for it).
 */
export function premiumLabel(
  billing: { is_premium?: boolean | undefined; multiplier?: number | undefined } | null | undefined,
): string {
  if (!billing) return "unknown";
  if (billing.is_premium !== true) return "included";
  return billing.multiplier !== undefined ? `×${billing.multiplier}` : "premium";
}

/** "expires in 24 min", or "expired 3 min ago". */
export function expiresIn(expiresAtMs: number, now = Date.now()): string {
  const ms = expiresAtMs - now;
  return ms > 0 ? `expires in ${formatDuration(ms)}` : `expired ${formatDuration(-ms)} ago`;
}
