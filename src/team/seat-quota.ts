import type { CopilotUsage } from "../copilot/usage.js";
import { quotaResetDate } from "../copilot/usage.js";
import { formatCount, planName, quotaLeft } from "../copilot/wording.js";

/** One quota of a person's seat, as `copilot_internal/user` reports it. */
export interface SeatQuotaLine {
  id: string;
  entitlement: number | undefined;
  remaining: number | undefined;
  percentRemaining: number | undefined;
  unlimited: boolean;
  /** In the words the CLI and the single-user page use: "712 of 1,000 left", "unlimited". */
  text: string;
}

/** What the page shows of a person's own Copilot seat (never a token). */
export interface SeatQuota {
  /** When GitHub answered (Unix ms); answers are reused for a minute. */
  fetchedAt: number;
  /** The plan in words ("Copilot Business"), as `status` and `usage` say it. */
  plan: string;
  resetDate: string | undefined;
  quotas: SeatQuotaLine[];
}

/** The seat's plan, reset date and quotas, in a shape the page and the CLI can print as they are. */
export function seatQuota(usage: CopilotUsage, fetchedAt: number): SeatQuota {
  const quotas: SeatQuotaLine[] = Object.entries(usage.quota_snapshots ?? {}).map(([id, q]) => ({
    id,
    entitlement: q.entitlement,
    remaining: q.remaining ?? q.quota_remaining,
    percentRemaining: q.percent_remaining,
    unlimited: q.unlimited === true,
    text: quotaLeft({
      entitlement: q.entitlement ?? 0,
      remaining: q.quota_remaining ?? q.remaining ?? 0,
      unlimited: q.unlimited === true,
      overage: q.overage_count ?? 0,
    }),
  }));
  // Copilot Free reports its allowances apart from quota_snapshots.
  for (const [id, remaining] of Object.entries(usage.limited_user_quotas ?? {})) {
    const entitlement = usage.monthly_quotas?.[id];
    quotas.push({
      id,
      entitlement,
      remaining,
      percentRemaining: entitlement ? (remaining / entitlement) * 100 : undefined,
      unlimited: false,
      text:
        entitlement === undefined
          ? `${formatCount(remaining)} left`
          : quotaLeft({ entitlement, remaining, unlimited: false, overage: 0 }),
    });
  }
  return {
    fetchedAt,
    plan: planName({ plan: usage.copilot_plan, sku: usage.access_type_sku }),
    resetDate: quotaResetDate(usage),
    quotas,
  };
}
