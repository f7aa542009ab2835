import type { CopilotClient } from "../../copilot/client.js";
import { connectCopilot } from "../../copilot/connect.js";
import type { LimitReading, LimitSnapshot } from "../../copilot/limits/limit-snapshot.js";
import { formatDuration, resetsIn } from "../../copilot/limits/reset-time.js";
import { type CopilotUsage, quotaResetDate } from "../../copilot/usage.js";
import { formatCount, planName, type QuotaFacts, quotaFacts, quotaLeft } from "../../copilot/wording.js";
import {
  lastDays,
  premiumRequests,
  readUsageRows,
  totalsByDay,
  totalsByModel,
  type UsageRow,
  usageHistoryPath,
} from "../../usage-history/usage-history.js";
import type { CliContext } from "../context.js";
import { renderBar } from "../output/bar.js";
import { jsonOutput } from "../output/format.js";
import { createStyle, type Style } from "../output/style.js";
import { renderTable } from "../output/table.js";

export interface UsageOptions {
  json?: boolean;
  history?: boolean;
}

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

/** The catalogue's multipliers, best effort (a history stays readable offline). */
async function catalogueMultipliers(client: CopilotClient): Promise<Map<string, number> | undefined> {
  try {
    const models = await client.models({ signal: AbortSignal.timeout(10_000) });
    const out = new Map<string, number>();
    for (const m of models) if (m.billing?.multiplier !== undefined) out.set(m.id, m.billing.multiplier);
    return out;
  } catch {
    return undefined;
  }
}

/**
 * `copilot-gateway usage [--json] [--history]`: plan, quota with a bar, reset date, and the session and weekly
 * limits as last read from Copilot's answers; `--history` prints what the gateway served per day and model.
 */
export async function usage(ctx: CliContext, opts: UsageOptions = {}): Promise<void> {
  const settings = ctx.settings();
  const client = connectCopilot({ settings, env: ctx.env });
  const style = createStyle(ctx.stdout, ctx.env);
  if (opts.history) {
    const rows = readUsageRows(usageHistoryPath(settings.homeDir)).filter((r) => r.day >= lastDays(30)[0]!);
    const multipliers = await catalogueMultipliers(client);
    if (opts.json) {
      const premium = (m: { model: string; userRequests: number }) =>
        premiumRequests(
          { ...m, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 },
          multipliers?.get(m.model),
        );
      ctx.stdout.write(
        jsonOutput({
          days: totalsByDay(rows, lastDays(30)),
          models: totalsByModel(rows).map((m) => ({ ...m, premiumRequests: premium(m) ?? null })),
        }),
      );
    } else ctx.stdout.write(renderHistory(rows, multipliers, style));
    return;
  }
  const report = await client.usage();
  const limits = client.session.limits.current();
  ctx.stdout.write(
    opts.json
      ? jsonOutput({ ...report, limits: limits ?? null })
      : renderUsage(report, style) + renderLimits(limits, style),
  );
}
