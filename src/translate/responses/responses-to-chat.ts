import type { ChatCompletion, ChatToolCall, ChatUsage, FinishReason } from "../../copilot/chat-types.js";
import type { ResponsesResult, ResponsesUsage } from "./responses-types.js";

/** Responses usage → chat usage, keeping cached and reasoning token counts. */
export function responsesUsageToChat(usage: ResponsesUsage | null | undefined): ChatUsage | undefined {
  if (!usage) return undefined;
  const prompt = usage.input_tokens ?? 0;
  const completion = usage.output_tokens ?? 0;
  const out: ChatUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.total_tokens ?? prompt + completion,
  };
  if (usage.input_tokens_details?.cached_tokens !== undefined)
    out.prompt_tokens_details = { cached_tokens: usage.input_tokens_details.cached_tokens };
  if (usage.output_tokens_details?.reasoning_tokens !== undefined)
    out.completion_tokens_details = { reasoning_tokens: usage.output_tokens_details.reasoning_tokens };
  return out;
}

/** Why a response ended, in chat terms. */
export function responsesFinishReason(
  status: string | undefined,
  incompleteReason: string | undefined,
  hasToolCalls: boolean,
): FinishReason {
  if (hasToolCalls) return "tool_calls";
  if (status === "incomplete") return incompleteReason === "content_filter" ? "content_filter" : "length";
  return "stop";
}

/** A non-streamed Responses result → a chat completion with one choice. */
export function responsesToChatCompletion(result: ResponsesResult, requestedModel: string): ChatCompletion {
  let text = "";
  let reasoning = "";
  const toolCalls: ChatToolCall[] = [];
  for (const item of result.output ?? []) {
    if (item.type === "message") {
      for (const part of item.content ?? []) {
        if (part.type === "output_text" && part.text) text += part.text;
        else if (part.type === "refusal" && part.refusal) text += part.refusal;
      }
    } else if (item.type === "function_call") {
      toolCalls.push({
        id: item.call_id ?? item.id ?? `call_${toolCalls.length}`,
        type: "function",
        function: { name: item.name ?? "", arguments: item.arguments ?? "" },
      });
    } else if (item.type === "reasoning") {
      for (const s of item.summary ?? []) if (s.text) reasoning += s.text;
    }
  }
  const message: ChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    content: text === "" && toolCalls.length > 0 ? null : text,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning) message.reasoning_text = reasoning;
  const completion: ChatCompletion = {
    id: result.id,
    object: "chat.completion",
    created: result.created_at ?? Math.floor(Date.now() / 1000),
    model: result.model ?? requestedModel,
    choices: [
      {
        index: 0,
        message,
        finish_reason: responsesFinishReason(
          result.status,
          result.incomplete_details?.reason,
          toolCalls.length > 0,
        ),
      },
    ],
  };
  const usage = responsesUsageToChat(result.usage);
  if (usage) completion.usage = usage;
  return completion;
}
