import type { CopilotClient } from "../../copilot/client.js";
import type { CliContext } from "../context.js";
import { openCopilotClient } from "../copilot-client.js";
import { jsonOutput } from "../output/format.js";
import { createStyle } from "../output/style.js";

export interface UsageOptions {
  json?: boolean;
  history?: boolean;
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
  const client = await openCopilotClient(ctx);
  const [history, { renderHistory, renderLimits, renderUsage }] = await Promise.all([
    import("../../usage-history/usage-history.js"),
    import("../output/usage-report.js"),
  ]);
  const { lastDays, premiumRequests, readUsageRows, totalsByDay, totalsByModel, usageHistoryPath } = history;
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
