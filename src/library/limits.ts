import type { LimitReading, LimitSnapshot } from "../copilot/limits/limit-snapshot.js";
import type { CopilotUsage } from "../copilot/usage.js";

export type { LimitReading };

/**
 * Where the account's limits stand: the same shape as the snapshot read from answers' headers (spec §10).
 * Quotas by id (`premium_interactions`, `chat`, `completions`, …); unlimited quotas are left out.
 */
export type CopilotLimits = LimitSnapshot;

/**
 * The usage report's quotas with what the last answers' headers said on top: the session and weekly limits exist
 * only there, and a header's quota reading is fresher than the report's.
 */
export function withAnswerLimits(
  fromUsage: CopilotLimits,
  fromAnswers: LimitSnapshot | undefined,
): CopilotLimits {
  if (!fromAnswers) return fromUsage;
  return {
    observedAt: fromUsage.observedAt,
    session: fromAnswers.session,
    weekly: fromAnswers.weekly,
    quotas: { ...fromUsage.quotas, ...fromAnswers.quotas },
  };
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * The limits `copilot_internal/user` reports: its quota snapshots with the quota reset date. It carries no session or
 * weekly limit (only answers' headers do), so those stay undefined here.
 */
export function limitsFromUsage(usage: CopilotUsage, now: Date = new Date()): CopilotLimits {
  const resetsAt = isoDate(usage.quota_reset_date_utc ?? usage.quota_reset_date);
  const quotas: Record<string, LimitReading> = {};
  for (const [id, snapshot] of Object.entries(usage.quota_snapshots ?? {})) {
    if (snapshot.unlimited || snapshot.percent_remaining === undefined) continue;
    quotas[id] = {
      percentLeft: Math.min(100, Math.max(0, snapshot.percent_remaining)),
      resetsAt,
      entitlement: snapshot.entitlement,
      overageUsed: snapshot.overage_count,
      overagePermitted: snapshot.overage_permitted,
    };
  }
  return { observedAt: now.toISOString(), session: undefined, weekly: undefined, quotas };
}
