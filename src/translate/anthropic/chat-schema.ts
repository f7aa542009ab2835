import { z } from "zod";

/**
 * The OpenAI chat shapes this translation produces (request) and consumes (answer, stream chunk). Answers are
 * parsed leniently: Copilot adds fields (`copilot_annotations`, `content_filter_results`, …) and leaves others
 * out (`object`, `id` on the first chunk), so only what the translation reads is checked.
 */

export type ChatTextPart = {
  type: "text";
  text: string;
};

export type ChatImagePart = {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
};

export type ChatContentPart = ChatTextPart | ChatImagePart;

export type ChatToolCall = {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
};

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ChatContentPart[] }
  | { role: "assistant"; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

export type ChatTool = {
  type: "function";
  function: { name: string; description?: string; parameters: Record<string, unknown> };
};

export type ChatToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

export type ChatRequest = {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  user?: string;
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  reasoning_effort?: string;
  response_format?: { type: "json_schema"; json_schema: { name: string; schema: Record<string, unknown> } };
  stream?: boolean;
  stream_options?: { include_usage: boolean };
};

const nullishString = z.string().nullish();

export const chatUsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});

const toolCallSchema = z.looseObject({
  id: nullishString,
  type: nullishString,
  function: z.looseObject({ name: nullishString, arguments: nullishString }).nullish(),
});

export const chatCompletionSchema = z.looseObject({
  id: nullishString,
  model: nullishString,
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        finish_reason: nullishString,
        message: z
          .looseObject({
            role: nullishString,
            content: nullishString,
            reasoning_text: nullishString,
            reasoning_opaque: nullishString,
            tool_calls: z.array(toolCallSchema).nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  usage: chatUsageSchema.nullish(),
});

const streamToolCallSchema = toolCallSchema.extend({ index: z.number().nullish() });

export const chatChunkSchema = z.looseObject({
  id: nullishString,
  model: nullishString,
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        finish_reason: nullishString,
        delta: z
          .looseObject({
            role: nullishString,
            content: nullishString,
            reasoning_text: nullishString,
            reasoning_opaque: nullishString,
            tool_calls: z.array(streamToolCallSchema).nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  usage: chatUsageSchema.nullish(),
  // Copilot reports a failure in the middle of a stream as an `error` object on a data line.
  error: z.looseObject({ message: nullishString, code: z.unknown(), type: nullishString }).nullish(),
});

export type ChatUsage = z.infer<typeof chatUsageSchema>;
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatChunk = z.infer<typeof chatChunkSchema>;
