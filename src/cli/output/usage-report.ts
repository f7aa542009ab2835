import type { LimitReading, LimitSnapshot } from "../../copilot/limits/limit-snapshot.js";
import { formatDuration, resetsIn } from "../../copilot/limits/reset-time.js";
import { type CopilotUsage, quotaResetDate } from "../../copilot/usage.js";
import { formatCount, planName, type QuotaFacts, quotaFacts, quotaLeft } from "../../copilot/wording.js";
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

function quotaLine(label: string, quota: QuotaFacts | undefined, style: Style): string {
  const name = `${label}:`.padEnd(18);
  if (!quota) return `${name}${style.dim(quotaLeft(quota))}`;
  if (quota.unlimited) return `${name}${style.green(quotaLeft(quota))}`;
  const used = Math.max(0, quota.entitlement - quota.remaining);
  const fraction = quota.entitlement > 0 ? used / quota.entitlement : 0;
  return `${name}${quotaLeft(quota)}  ${renderBar(fraction, style)}`;
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
  const plan = planName({ plan: report.copilot_plan, sku: report.access_type_sku });
  const lines = [
    `${"GitHub login:".padEnd(18)}${report.login ?? "unknown"}`,
    `${"Copilot plan:".padEnd(18)}${plan}`,
    quotaLine("Premium requests", quotaFacts(report, "premium_interactions"), style),
    quotaLine("Chat", quotaFacts(report, "chat"), style),
    quotaLine("Completions", quotaFacts(report, "completions"), style),
    `${"Resets on:".padEnd(18)}${quotaResetDate(report) ?? "not reported"}`,
  ];
  return `${lines.join("\n")}\n`;
}

const fmt = formatCount;

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
