import { type CopilotModel, isChatModel } from "../copilot/models.js";

/** One entry of Anthropic's Models API (`GET /v1/models`), with the limits Claude Code reads when present. */
export interface AnthropicModelInfo {
  type: "model";
  id: string;
  display_name: string;
  /** Copilot does not say when a model was released; the epoch marks "unknown" in Anthropic's required field. */
  created_at: string;
  max_input_tokens?: number;
  max_tokens?: number;
}

export function toAnthropicModel(model: CopilotModel): AnthropicModelInfo {
  const limits = model.capabilities.limits;
  return {
    type: "model",
    id: model.id,
    display_name: model.name ?? model.id,
    created_at: "1970-01-01T00:00:00Z",
    ...(limits?.max_prompt_tokens !== undefined && { max_input_tokens: limits.max_prompt_tokens }),
    ...(limits?.max_output_tokens !== undefined && { max_tokens: limits.max_output_tokens }),
  };
}

/**
 * The chat models in Anthropic's list shape, for clients that ask with `anthropic-version` (Claude Code's gateway
 * model discovery fills its `/model` picker from it). One page: the catalogue is small.
 */
export function anthropicModelList(models: readonly CopilotModel[]) {
  const data = models.filter(isChatModel).map(toAnthropicModel);
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
