import type { CopilotUsage } from "../copilot/usage.js";

/** One limit: how much is left and when it resets (the fields of Copilot's limit headers, spec §10). */
export interface LimitReading {
  /** Percent of the limit still available, 0–100. */
  percentLeft: number;
  /** When the limit resets (ISO time), when known. */
  resetsAt: string | undefined;
  /** The entitlement, for quotas. */
  entitlement: number | undefined;
  /** Overage used, when reported. */
  overageUsed: number | undefined;
  /** Whether overage is permitted, when reported. */
  overagePermitted: boolean | undefined;
}

/** Where the account's limits stand. */
export interface CopilotLimits {
  /** When these figures were read (ISO time). */
  observedAt: string;
  /** The rolling 5-hour session limit, when Copilot has reported it. */
  session: LimitReading | undefined;
  /** The 7-day limit, when Copilot has reported it. */
  weekly: LimitReading | undefined;
  /** Quotas by id (`premium_interactions`, `chat`, `completions`, …). Unlimited quotas are left out. */
  quotas: Record<string, LimitReading>;
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
