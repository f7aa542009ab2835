import type { UsageRow } from "../store/records.js";

export interface ModelUsage {
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

/** One person's (or everybody's) use per model: today, and over the rows given (the last 30 days). */
export interface UsageSummary {
  today: ModelUsage[];
  last30Days: ModelUsage[];
  totals: { today: ModelUsage; last30Days: ModelUsage };
}

function add(into: Map<string, ModelUsage>, row: UsageRow, key: string): void {
  const entry = into.get(key) ?? {
    model: key,
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
  };
  entry.requests += row.requests;
  entry.inputTokens += row.inputTokens;
  entry.outputTokens += row.outputTokens;
  entry.cachedTokens += row.cachedTokens;
  into.set(key, entry);
}

/** Most requested model first. */
function sorted(map: Map<string, ModelUsage>): ModelUsage[] {
  return [...map.values()].sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}

export function summarizeUsage(rows: readonly UsageRow[], today: string): UsageSummary {
  const day = new Map<string, ModelUsage>();
  const month = new Map<string, ModelUsage>();
  const totals = { today: new Map<string, ModelUsage>(), month: new Map<string, ModelUsage>() };
  for (const row of rows) {
    add(month, row, row.model);
    add(totals.month, row, "all");
    if (row.day === today) {
      add(day, row, row.model);
      add(totals.today, row, "all");
    }
  }
  const zero = { model: "all", requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  return {
    today: sorted(day),
    last30Days: sorted(month),
    totals: { today: totals.today.get("all") ?? zero, last30Days: totals.month.get("all") ?? { ...zero } },
  };
}
