import type { StopReason } from "./message-types.js";

export interface MappedStop {
  stopReason: StopReason;
  stopSequence: string | null;
}

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`. Chat does not say which stop sequence matched; when the
 * upstream names it (`stop_sequence` / `matched_stop` on the choice, as some backends do) and it is one the
 * client asked for, the answer says `stop_sequence` with it, otherwise a plain `end_turn`.
 */
export function mapStopReason(
  finishReason: string | null | undefined,
  options: { hasToolUse: boolean; matchedStop?: unknown; stopSequences?: readonly string[] | undefined },
): MappedStop {
  // Claude-on-Copilot may report "stop" on a turn that ends in tool calls; the blocks are what clients act on.
  if (options.hasToolUse && finishReason !== "length") return { stopReason: "tool_use", stopSequence: null };
  switch (finishReason) {
    case "length":
      return { stopReason: "max_tokens", stopSequence: null };
    case "tool_calls":
    case "function_call":
      return { stopReason: "tool_use", stopSequence: null };
    case "content_filter":
      return { stopReason: "refusal", stopSequence: null };
    default: {
      const matched = options.matchedStop;
      if (typeof matched === "string" && options.stopSequences?.includes(matched))
        return { stopReason: "stop_sequence", stopSequence: matched };
      return { stopReason: "end_turn", stopSequence: null };
    }
  }
}

/** Where an upstream names the stop sequence that ended a choice, if it does. */
export function matchedStopOf(choice: Record<string, unknown>): unknown {
  return choice.stop_sequence ?? choice.matched_stop ?? choice.stop_reason;
}
