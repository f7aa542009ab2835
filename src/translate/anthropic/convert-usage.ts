import type { ChatUsage } from "./chat-schema.js";
import type { AnthropicUsage } from "./message-types.js";

/**
 * OpenAI usage → Anthropic usage. OpenAI's `prompt_tokens` includes cached tokens; Anthropic counts them apart,
 * so `input_tokens` is the uncached rest and `cache_read_input_tokens` the cached part.
 */
export function convertUsage(usage: ChatUsage | null | undefined, fallbackInputTokens = 0): AnthropicUsage {
  const prompt = usage?.prompt_tokens ?? fallbackInputTokens;
  const cached = Math.min(usage?.prompt_tokens_details?.cached_tokens ?? 0, prompt);
  return {
    input_tokens: prompt - cached,
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}
