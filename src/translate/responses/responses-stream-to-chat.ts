import type { ChatCompletionChunk, ChatDelta, FinishReason } from "../../copilot/chat-types.js";
import { UpstreamStreamError } from "../../sse/stream-errors.js";
import { responsesFinishReason, responsesUsageToChat } from "./responses-to-chat.js";
import type { ResponsesResult } from "./responses-types.js";

/** Events that end a Responses stream (for the SSE reader's end-of-stream check). */
export const RESPONSES_TERMINAL_EVENTS = [
  "response.completed",
  "response.incomplete",
  "response.failed",
] as const;

export interface ResponsesToChatStream {
  /** Translate one Responses stream event (its `type` field, or the SSE event name) into chat chunks. */
  push(event: Record<string, unknown>): ChatCompletionChunk[];
}

/**
 * A stateful Responses-stream → chat-chunk translator. Text deltas become `content` deltas; each function call
 * becomes a tool call with its own `index`, keyed by `output_index` because Copilot obfuscates `item_id`s per event
 * (spec §8). The terminal event yields a finish chunk and then a usage chunk with empty `choices`, as Copilot's own
 * chat streams do.
 */
export function createResponsesToChatStream(requestedModel: string): ResponsesToChatStream {
  let id = "";
  let model = requestedModel;
  let created = Math.floor(Date.now() / 1000);
  let started = false;
  const toolIndexByOutput = new Map<number, number>();

  const chunk = (delta: ChatDelta, finish: FinishReason | null = null): ChatCompletionChunk => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const start = (): ChatCompletionChunk[] => {
    if (started) return [];
    started = true;
    return [chunk({ role: "assistant", content: "" })];
  };
  const adopt = (response: unknown) => {
    const r = response as ResponsesResult | undefined;
    if (!r) return;
    if (r.id) id = r.id;
    if (r.model) model = r.model;
    if (r.created_at) created = r.created_at;
  };

  return {
    push(event) {
      const type = event.type;
      switch (type) {
        case "response.created":
        case "response.in_progress":
          adopt(event.response);
          return start();
        case "response.output_text.delta":
        case "response.refusal.delta": {
          const delta = typeof event.delta === "string" ? event.delta : "";
          if (!delta) return [];
          return [...start(), chunk({ content: delta })];
        }
        case "response.reasoning_summary_text.delta":
        case "response.reasoning_text.delta": {
          const delta = typeof event.delta === "string" ? event.delta : "";
          if (!delta) return [];
          return [...start(), chunk({ reasoning_text: delta })];
        }
        case "response.output_item.added": {
          const item = event.item as
            | { type?: string; call_id?: string; name?: string; id?: string }
            | undefined;
          if (item?.type !== "function_call") return [];
          const index = toolIndexByOutput.size;
          toolIndexByOutput.set(Number(event.output_index ?? index), index);
          return [
            ...start(),
            chunk({
              tool_calls: [
                {
                  index,
                  id: item.call_id ?? item.id ?? `call_${index}`,
                  type: "function",
                  function: { name: item.name ?? "", arguments: "" },
                },
              ],
            }),
          ];
        }
        case "response.function_call_arguments.delta": {
          const index = toolIndexByOutput.get(Number(event.output_index));
          const delta = typeof event.delta === "string" ? event.delta : "";
          if (index === undefined || !delta) return [];
          return [chunk({ tool_calls: [{ index, function: { arguments: delta } }] })];
        }
        case "response.completed":
        case "response.incomplete": {
          adopt(event.response);
          const r = event.response as ResponsesResult | undefined;
          const finish = responsesFinishReason(
            r?.status ?? (type === "response.incomplete" ? "incomplete" : "completed"),
            r?.incomplete_details?.reason,
            toolIndexByOutput.size > 0,
          );
          const out = [...start(), chunk({}, finish)];
          const usage = responsesUsageToChat(r?.usage);
          if (usage) out.push({ id, object: "chat.completion.chunk", created, model, choices: [], usage });
          return out;
        }
        case "response.failed": {
          const r = event.response as ResponsesResult | undefined;
          throw new UpstreamStreamError(r?.error?.message ?? "the response failed", r?.error?.code);
        }
        default:
          return [];
      }
    },
  };
}
