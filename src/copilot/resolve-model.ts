import { ModelCapabilityError, ModelNotEnabledError, UnknownModelError } from "./model-errors.js";
import { type CopilotModel, isChatModel, modelPolicyState } from "./models.js";

/** Edit distance (insert/delete/substitute), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

const normalize = (s: string) => s.toLowerCase().replace(/[\s_.]+/g, "-");

/** Up to `limit` catalogue ids close to `wanted`: containment first, then small edit distance. */
export function closeModelMatches(wanted: string, ids: readonly string[], limit = 3): string[] {
  const w = normalize(wanted);
  const scored = ids.map((id) => {
    const n = normalize(id);
    const contains = n.includes(w) || w.includes(n);
    const distance = editDistance(w, n);
    return { id, score: contains ? distance / 10 : distance };
  });
  const threshold = Math.max(2, Math.floor(w.length / 3));
  // Keep only the near-best: a typo of one model should not also suggest its distant cousins.
  const best = Math.min(...scored.map((s) => s.score));
  return scored
    .filter((s) => s.score <= threshold && s.score <= best + 2)
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((s) => s.id);
}

/** Find a model by id: exact, then ignoring case and `.`/`-`/`_` differences (`gpt-4-1` → `gpt-4.1`). */
export function findModel(models: readonly CopilotModel[], id: string): CopilotModel | undefined {
  const exact = models.find((m) => m.id === id);
  if (exact) return exact;
  const n = normalize(id);
  return models.find((m) => normalize(m.id) === n);
}

export type ModelPurpose = "chat" | "embeddings" | "any";

/**
 * The catalogue entry for `id`, checked for the purpose it is used for, or a typed error: unknown (with close
 * matches), disabled by policy, awaiting consent, or the wrong kind of model.
 */
export function resolveModel(
  models: readonly CopilotModel[],
  id: string,
  purpose: ModelPurpose = "any",
): CopilotModel {
  const model = findModel(models, id);
  if (!model) {
    const candidates = models
      .filter(
        (m) => purpose === "any" || (purpose === "chat" ? isChatModel(m) : m.capabilities.type === purpose),
      )
      .map((m) => m.id);
    throw new UnknownModelError(id, closeModelMatches(id, candidates));
  }
  const policy = modelPolicyState(model);
  if (policy !== "enabled") throw new ModelNotEnabledError(model.id, policy);
  if (purpose === "chat" && !isChatModel(model))
    throw new ModelCapabilityError(
      model.id,
      `"${model.id}" is ${/^[aeiou]/i.test(model.capabilities.type) ? "an" : "a"} ${model.capabilities.type} model, not a chat model; run \`copilot-gateway models\` to pick one.`,
    );
  if (purpose === "embeddings" && model.capabilities.type !== "embeddings")
    throw new ModelCapabilityError(
      model.id,
      `"${model.id}" is not an embeddings model; run \`copilot-gateway models\` to pick one.`,
    );
  return model;
}
