import type { LimitReading, LimitSnapshot } from "../../copilot/limits/limit-snapshot.js";
import { formatDuration, resetsIn } from "../../copilot/limits/reset-time.js";
import { type CopilotUsage, type QuotaSnapshot, quotaResetDate } from "../../copilot/usage.js";
import {
  lastDays,
  premiumRequests,
  totalsByDay,
  totalsByModel,
  type UsageRow,
} from "../../usage-history/usage-history.js";
import { renderBar } from "./bar.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

// The `usage` command's reports. Apart from the command, so the command loads them (and zod) only once it has a
// credential.

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

function limitLine(label: string, reading: LimitReading | undefined, style: Style, now: number): string {
  const name = `${label}:`.padEnd(18);
  if (!reading) return `${name}${style.dim("not reported")}`;
  const used = Math.min(100, Math.max(0, 100 - reading.percentLeft));
  const percent = `${Number.isInteger(used) ? used : used.toFixed(1)}% used`.padEnd(11);
  return `${name}${percent}${renderBar(used / 100, style)}  ${resetsIn(reading.resetsAt, now)}`;
}

/**
 * The session and weekly limits, from the last Copilot answer seen by `serve` or `chat` (kept in the state
 * directory): `usage` itself makes no model call, so it says how old the reading is.
 */
export function renderLimits(limits: LimitSnapshot | undefined, style: Style, now = Date.now()): string {
  if (!limits)
    return `${"Limits:".padEnd(18)}${style.dim("none seen yet; they are read from Copilot's answers, so they show after a request through `serve` or `chat`")}\n`;
  const age = now - Date.parse(limits.observedAt);
  return [
    limitLine("Session (5 h)", limits.session, style, now),
    limitLine("Weekly", limits.weekly, style, now),
    `${"Limits as of:".padEnd(18)}${limits.observedAt.slice(0, 16).replace("T", " ")} UTC (${age < 60_000 ? "just now" : `${formatDuration(age)} ago`})`,
    "",
  ].join("\n");
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

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * The last 30 days by day and by model. Premium requests appear only where the catalogue gives the model's
 * `billing.multiplier` (legacy plans): requests you started times it. No cost is ever estimated.
 */
export function renderHistory(
  rows: readonly UsageRow[],
  multipliers: ReadonlyMap<string, number> | undefined,
  style: Style,
  now = Date.now(),
): string {
  const days = totalsByDay(rows, lastDays(30, now)).filter((d) => d.requests > 0);
  if (days.length === 0)
    return `No usage recorded in the last 30 days (the gateway counts what it serves, in ${"the state directory"}).\n`;
  const dayTable = renderTable(
    ["Day", "Requests", "Input", "Output", "Cached"],
    days.map((d) => [d.day, fmt(d.requests), fmt(d.inputTokens), fmt(d.outputTokens), fmt(d.cachedTokens)]),
    style,
  );
  const modelTable = renderTable(
    ["Model", "Requests", "Input", "Output", "Cached", "Premium requests"],
    totalsByModel(rows).map((m) => {
      const premium = premiumRequests(m, multipliers?.get(m.model));
      return [
        m.model,
        fmt(m.requests),
        fmt(m.inputTokens),
        fmt(m.outputTokens),
        fmt(m.cachedTokens),
        premium === undefined
          ? "-"
          : `${fmt(premium)} (${fmt(m.userRequests)} × ${multipliers?.get(m.model)})`,
      ];
    }),
    style,
  );
  return `Last 30 days, by day:\n${dayTable}\n\nBy model:\n${modelTable}\n`;
}
