import type { Translated, TranslationWarning } from "./message-types.js";
import type { MessagesRequest } from "./messages-schema.js";

/** Effort levels from least to most, as the OpenAI-style `reasoning_effort` names them. */
const EFFORT_ORDER = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;

/**
 * Budget thresholds for `thinking.budget_tokens` → effort. Anthropic's minimum budget is 1,024 and Claude Code
 * uses ~4k ("think"), ~10k ("think hard") and ~32k ("ultrathink"); these cut-offs keep those three apart.
 */
export function effortForBudget(budgetTokens: number): "low" | "medium" | "high" {
  if (budgetTokens < 4_096) return "low";
  if (budgetTokens < 16_384) return "medium";
  return "high";
}

/** The supported level nearest to `wanted` (ties go to the higher one: asking to think is a request for more). */
export function nearestEffort(wanted: string, supported: readonly string[]): string | undefined {
  if (supported.includes(wanted)) return wanted;
  const rank = (e: string) => EFFORT_ORDER.indexOf(e as (typeof EFFORT_ORDER)[number]);
  const target = wanted === "max" ? EFFORT_ORDER.length : rank(wanted);
  if (target < 0) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const level of supported) {
    const r = rank(level);
    if (r < 0) continue;
    const distance = Math.abs(r - target);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && r > rank(best))) {
      best = level;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * `thinking` (and `output_config.effort`) → `reasoning_effort`, for models whose catalogue entry lists effort
 * levels. Other models cannot be asked to think, so the setting is dropped with a warning.
 */
export function mapThinking(
  request: Pick<MessagesRequest, "thinking" | "output_config">,
  supportedEfforts: readonly string[] | undefined,
  modelId: string,
): Translated<string | undefined> {
  const warnings: TranslationWarning[] = [];
  const wanted = wantedEffort(request);
  if (wanted === undefined) return { result: undefined, warnings };
  if (!supportedEfforts || supportedEfforts.length === 0) {
    warnings.push({
      code: "thinking_dropped",
      message: `Model ${modelId} has no reasoning-effort setting; the request's thinking setting was dropped.`,
    });
    return { result: undefined, warnings };
  }
  const effort = nearestEffort(wanted, supportedEfforts);
  if (effort === undefined) {
    warnings.push({
      code: "thinking_dropped",
      message: `Effort "${wanted}" has no equivalent among ${supportedEfforts.join(", ")} for ${modelId}; dropped.`,
    });
  }
  return { result: effort, warnings };
}

function wantedEffort(request: Pick<MessagesRequest, "thinking" | "output_config">): string | undefined {
  const explicit = request.output_config?.effort;
  if (explicit) return explicit;
  const thinking = request.thinking;
  if (thinking === undefined) return undefined;
  switch (thinking.type) {
    case "enabled":
      return effortForBudget(thinking.budget_tokens);
    case "disabled":
    case "adaptive":
    case "between_tools":
      // Adaptive thinking leaves the amount to the model, which is what an unset reasoning_effort does.
      return undefined;
    default: {
      const unreachable: never = thinking;
      throw new Error(`unknown thinking config ${JSON.stringify(unreachable)}`);
    }
  }
}
