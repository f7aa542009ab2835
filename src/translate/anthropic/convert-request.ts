import { createHash } from "node:crypto";
import type { ChatRequest } from "./chat-schema.js";
import { convertMessages } from "./convert-messages.js";
import { convertTools } from "./convert-tools.js";
import { mapThinking } from "./map-thinking.js";
import type { Translated, TranslationWarning } from "./message-types.js";
import type { MessagesRequest } from "./messages-schema.js";

/** What the translation needs to know about the target model (from its catalogue entry). */
export interface TargetModel {
  /** Copilot model id the request goes to. */
  id: string;
  /** `capabilities.limits.max_output_tokens`, when the catalogue gives one. */
  maxOutputTokens?: number | undefined;
  /** `capabilities.supports.reasoning_effort`, when the model takes an effort level. */
  reasoningEfforts?: readonly string[] | undefined;
}

export interface ConvertedRequest {
  request: ChatRequest;
  /** Any image in the request: send `Copilot-Vision-Request: true`. */
  needsVision: boolean;
}

/**
 * OpenAI documents `user` as a short stable end-user id, and Claude Code's `user_id` runs past 150 characters; a
 * long one is sent as its SHA-256 prefix, which stays stable per user without risking a length check upstream.
 */
export function chatUserId(userId: string): string {
  return userId.length <= 64
    ? userId
    : `sha256:${createHash("sha256").update(userId).digest("hex").slice(0, 32)}`;
}

/** A whole Anthropic Messages request → an OpenAI chat request for `model`. */
export function convertRequest(request: MessagesRequest, model: TargetModel): Translated<ConvertedRequest> {
  const warnings: TranslationWarning[] = [];
  const messages = convertMessages(request.system, request.messages);
  warnings.push(...messages.warnings);
  const tools = convertTools(request.tools, request.tool_choice);
  warnings.push(...tools.warnings);
  const effort = mapThinking(request, model.reasoningEfforts, model.id);
  warnings.push(...effort.warnings);

  let maxTokens = request.max_tokens;
  if (model.maxOutputTokens !== undefined && maxTokens > model.maxOutputTokens) {
    warnings.push({
      code: "max_tokens_clamped",
      message: `max_tokens ${maxTokens} exceeds ${model.id}'s output limit; using ${model.maxOutputTokens}.`,
    });
    maxTokens = model.maxOutputTokens;
  }
  if (request.top_k !== undefined) {
    warnings.push({ code: "top_k_dropped", message: "top_k has no OpenAI chat equivalent and was dropped." });
  }

  const format = request.output_config?.format;
  const chat: ChatRequest = {
    model: model.id,
    messages: messages.result.messages,
    max_tokens: maxTokens,
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.top_p !== undefined && { top_p: request.top_p }),
    ...(request.stop_sequences !== undefined &&
      request.stop_sequences.length > 0 && { stop: request.stop_sequences }),
    ...(request.metadata?.user_id && { user: chatUserId(request.metadata.user_id) }),
    ...(tools.result.tools && { tools: tools.result.tools }),
    ...(tools.result.toolChoice !== undefined && { tool_choice: tools.result.toolChoice }),
    ...(tools.result.parallelToolCalls !== undefined && {
      parallel_tool_calls: tools.result.parallelToolCalls,
    }),
    ...(effort.result !== undefined && { reasoning_effort: effort.result }),
    ...(format && {
      response_format: { type: "json_schema", json_schema: { name: "output", schema: format.schema } },
    }),
    ...(request.stream === true && { stream: true, stream_options: { include_usage: true } }),
  };
  return { result: { request: chat, needsVision: messages.result.needsVision }, warnings };
}
