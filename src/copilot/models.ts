import { z } from "zod";

/**
 * One entry of Copilot's `/models` catalogue (spec §4), reduced to the fields copilot-gateway relies on. Field
 * names stay Copilot's own so the gateway can pass capabilities through unchanged.
 */
const optionalBool = z.boolean().optional();
const optionalNumber = z.number().optional();

export const copilotModelSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  vendor: z.string().optional(),
  version: z.string().optional(),
  preview: optionalBool,
  model_picker_enabled: optionalBool,
  is_chat_default: optionalBool,
  is_chat_fallback: optionalBool,
  billing: z
    .object({
      is_premium: optionalBool,
      multiplier: optionalNumber,
      restricted_to: z.array(z.string()).optional(),
    })
    .optional(),
  policy: z.object({ state: z.string(), terms: z.string().optional() }).optional(),
  supported_endpoints: z.array(z.string()).optional(),
  capabilities: z.object({
    type: z.string(),
    family: z.string().optional(),
    tokenizer: z.string().optional(),
    limits: z
      .object({
        max_context_window_tokens: optionalNumber,
        max_output_tokens: optionalNumber,
        max_non_streaming_output_tokens: optionalNumber,
        max_prompt_tokens: optionalNumber,
        max_inputs: optionalNumber,
        vision: z
          .object({
            max_prompt_images: optionalNumber,
            max_prompt_image_size: optionalNumber,
            supported_media_types: z.array(z.string()).optional(),
          })
          .optional(),
      })
      .optional(),
    supports: z
      .object({
        streaming: optionalBool,
        tool_calls: optionalBool,
        parallel_tool_calls: optionalBool,
        vision: optionalBool,
        structured_outputs: optionalBool,
        dimensions: optionalBool,
        thinking: optionalBool,
        adaptive_thinking: optionalBool,
        max_thinking_budget: optionalNumber,
        min_thinking_budget: optionalNumber,
        reasoning_effort: z.array(z.string()).optional(),
      })
      .optional(),
  }),
});

/** One entry of Copilot's model catalogue, with Copilot's own field names. */
export type CopilotModel = z.infer<typeof copilotModelSchema>;

export interface ParsedCatalogue {
  models: CopilotModel[];
  /** Entries that failed the schema, by id when they had one (kept for diagnostics, never fatal). */
  skipped: { id: string | undefined; reason: string }[];
}

/** Parse `/models` leniently: a bad entry is skipped, a repeated id keeps its first entry (spec §8). */
export function parseModelCatalogue(json: unknown): ParsedCatalogue {
  const data = json && typeof json === "object" ? (json as { data?: unknown }).data : undefined;
  const entries = Array.isArray(data) ? data : [];
  const models: CopilotModel[] = [];
  const skipped: ParsedCatalogue["skipped"] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const parsed = copilotModelSchema.safeParse(entry);
    if (!parsed.success) {
      const id = (entry as { id?: unknown } | null)?.id;
      skipped.push({
        id: typeof id === "string" ? id : undefined,
        reason: parsed.error.issues[0]?.message ?? "invalid",
      });
      continue;
    }
    if (seen.has(parsed.data.id)) continue;
    seen.add(parsed.data.id);
    models.push(parsed.data);
  }
  return { models, skipped };
}

export type ModelEndpoint = "/chat/completions" | "/responses" | "/v1/messages" | "/embeddings";

/** Whether a model lists an endpoint; an absent list means an older model that speaks chat completions only. */
export function modelSupportsEndpoint(model: CopilotModel, endpoint: ModelEndpoint): boolean {
  const list = model.supported_endpoints;
  if (!list) return endpoint === "/chat/completions" ? model.capabilities.type !== "embeddings" : false;
  return list.includes(endpoint);
}

/** Policy state, `enabled` when Copilot sends none. */
export function modelPolicyState(model: CopilotModel): string {
  return model.policy?.state ?? "enabled";
}

export function isChatModel(model: CopilotModel): boolean {
  return model.capabilities.type === "chat";
}

/**
 * The catalogue's chat default (`is_chat_default`), else its chat fallback, else the first usable chat model.
 * Never a hard-coded id: the catalogue changes several times a year (spec §4).
 */
export function defaultChatModel(models: readonly CopilotModel[]): CopilotModel | undefined {
  const usable = models.filter((m) => isChatModel(m) && modelPolicyState(m) === "enabled");
  return (
    usable.find((m) => m.is_chat_default) ??
    usable.find((m) => m.is_chat_fallback) ??
    usable.find((m) => m.model_picker_enabled) ??
    usable[0]
  );
}
