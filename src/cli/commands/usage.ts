import { connectCopilot } from "../../copilot/connect.js";
import { type CopilotUsage, type QuotaSnapshot, quotaResetDate } from "../../copilot/usage.js";
import type { CliContext } from "../context.js";
import { renderBar } from "../output/bar.js";
import { jsonOutput } from "../output/format.js";
import { createStyle, type Style } from "../output/style.js";

export interface UsageOptions {
  json?: boolean;
}

interface Quota {
  entitlement: number;
  remaining: number;
  unlimited: boolean;
  overage: number;
}

function fromSnapshot(s: QuotaSnapshot | undefined): Quota | undefined {
  if (!s) return undefined;
  return {
    entitlement: s.entitlement ?? 0,
    remaining: s.quota_remaining ?? s.remaining ?? 0,
    unlimited: s.unlimited === true,
    overage: s.overage_count ?? 0,
  };
}

/** Copilot Free reports `monthly_quotas` (allowance) and `limited_user_quotas` (what is left) instead of snapshots. */
function fromFreePlan(usage: CopilotUsage, key: string): Quota | undefined {
  const entitlement = usage.monthly_quotas?.[key];
  const remaining = usage.limited_user_quotas?.[key];
  if (entitlement === undefined || remaining === undefined) return undefined;
  return { entitlement, remaining, unlimited: false, overage: 0 };
}

function quotaLine(label: string, quota: Quota | undefined, style: Style): string {
  const name = `${label}:`.padEnd(18);
  if (!quota) return `${name}${style.dim("not reported")}`;
  if (quota.unlimited) return `${name}${style.green("unlimited")}`;
  const used = Math.max(0, quota.entitlement - quota.remaining);
  const fraction = quota.entitlement > 0 ? used / quota.entitlement : 0;
  const percent = `${(fraction * 100).toFixed(1)}%`;
  const overage = quota.overage > 0 ? ` (+${quota.overage} overage)` : "";
  return `${name}${format(used)} / ${format(quota.entitlement)} used (${percent})${overage}  ${renderBar(fraction, style)}`;
}

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** The human report: account, plan, premium requests with a bar, chat and completions, reset date. */
export function renderUsage(report: CopilotUsage, style: Style): string {
  const snap = report.quota_snapshots ?? {};
  const plan = [
    report.copilot_plan ?? "unknown",
    report.access_type_sku && style.dim(`(${report.access_type_sku})`),
  ]
    .filter(Boolean)
    .join(" ");
  const lines = [
    `${"Account:".padEnd(18)}${report.login ?? "-"}`,
    `${"Plan:".padEnd(18)}${plan}`,
    quotaLine("Premium requests", fromSnapshot(snap.premium_interactions), style),
    quotaLine("Chat", fromSnapshot(snap.chat) ?? fromFreePlan(report, "chat"), style),
    quotaLine("Completions", fromSnapshot(snap.completions) ?? fromFreePlan(report, "completions"), style),
    `${"Resets on:".padEnd(18)}${quotaResetDate(report) ?? "-"}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** `copilot-gateway usage [--json]`: plan, premium-request quota with a bar, chat and completions, reset date. */
export async function usage(ctx: CliContext, opts: UsageOptions = {}): Promise<void> {
  const client = connectCopilot({ settings: ctx.settings(), env: ctx.env });
  const report = await client.usage();
  ctx.stdout.write(opts.json ? jsonOutput(report) : renderUsage(report, createStyle(ctx.stdout, ctx.env)));
}
