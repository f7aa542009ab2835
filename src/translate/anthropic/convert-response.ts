import { randomUUID } from "node:crypto";
import type { ChatCompletion } from "./chat-schema.js";
import { convertUsage } from "./convert-usage.js";
import { mapStopReason, matchedStopOf } from "./map-stop-reason.js";
import type { AnthropicContent, AnthropicMessage, Translated, TranslationWarning } from "./message-types.js";

export interface ResponseContext {
  /** The model id the client asked for, used when the upstream leaves `model` empty. */
  requestedModel: string;
  stopSequences?: readonly string[] | undefined;
}

/** An Anthropic message id for an upstream id (kept recognisable, prefixed the way Anthropic ids are). */
export function messageIdFor(upstreamId: string | null | undefined): string {
  if (!upstreamId) return `msg_${randomUUID().replaceAll("-", "")}`;
  return upstreamId.startsWith("msg_") ? upstreamId : `msg_${upstreamId}`;
}

/** Tool arguments arrive as a JSON string; Anthropic wants the object. Broken JSON is kept, not lost. */
export function parseToolInput(
  args: string | null | undefined,
  toolName: string,
  warnings: TranslationWarning[],
): unknown {
  if (!args || args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    warnings.push({
      code: "invalid_tool_arguments",
      message: `The model sent arguments for tool "${toolName}" that are not valid JSON; passed on as a string.`,
    });
    return { _raw_arguments: args };
  }
}

/**
 * An OpenAI chat answer → an Anthropic message. Claude-on-Copilot puts text and each tool call in separate
 * choices of one answer, so all choices are merged into one content list in index order.
 */
export function convertResponse(
  completion: ChatCompletion,
  context: ResponseContext,
): Translated<AnthropicMessage> {
  const warnings: TranslationWarning[] = [];
  const content: AnthropicContent[] = [];
  let finishReason: string | null | undefined;
  let matchedStop: unknown;
  const choices = [...(completion.choices ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  for (const choice of choices) {
    const message = choice.message;
    if (message?.reasoning_text) {
      content.push({
        type: "thinking",
        thinking: message.reasoning_text,
        signature: message.reasoning_opaque ?? "",
      });
    }
    if (message?.content) {
      const last = content.at(-1);
      if (last?.type === "text") last.text += message.content;
      else content.push({ type: "text", text: message.content });
    }
    for (const call of message?.tool_calls ?? []) {
      const name = call.function?.name ?? "";
      content.push({
        type: "tool_use",
        id: call.id || `toolu_${randomUUID().replaceAll("-", "")}`,
        name,
        input: parseToolInput(call.function?.arguments, name, warnings),
      });
    }
    // The most telling reason wins: a tool call or a cut-off outranks a plain stop from a sibling choice.
    if (
      choice.finish_reason &&
      (finishReason === undefined || finishReason === null || finishReason === "stop")
    ) {
      finishReason = choice.finish_reason;
      matchedStop = matchedStopOf(choice);
    }
  }
  const stop = mapStopReason(finishReason, {
    hasToolUse: content.some((block) => block.type === "tool_use"),
    matchedStop,
    stopSequences: context.stopSequences,
  });
  return {
    result: {
      id: messageIdFor(completion.id),
      type: "message",
      role: "assistant",
      model: completion.model || context.requestedModel,
      content,
      stop_reason: stop.stopReason,
      stop_sequence: stop.stopSequence,
      usage: convertUsage(completion.usage),
    },
    warnings,
  };
}
