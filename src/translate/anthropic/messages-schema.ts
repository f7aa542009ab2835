import { z } from "zod";

/**
 * The Anthropic Messages request as clients send it (the official SDK, Claude Code). Known fields are checked;
 * unknown fields and block types pass through, so a newer client is never refused for something we can ignore.
 */

const cacheControl = z.looseObject({ type: z.string() }).nullish();

export const textBlockSchema = z.looseObject({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControl,
});

export const imageSourceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal("url"), url: z.string() }),
  z.looseObject({ type: z.literal("file"), file_id: z.string() }),
]);

export const imageBlockSchema = z.looseObject({
  type: z.literal("image"),
  source: imageSourceSchema,
  cache_control: cacheControl,
});

export const toolUseBlockSchema = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
  cache_control: cacheControl,
});

/** Blocks a tool result may carry. Anything else inside a result is kept as its JSON text. */
const toolResultPartSchema = z.union([
  textBlockSchema,
  imageBlockSchema,
  z
    .looseObject({ type: z.string() })
    .transform((part) => ({ type: "unsupported" as const, blockType: part.type, block: part })),
]);

export const toolResultBlockSchema = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(toolResultPartSchema)]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

export const thinkingBlockSchema = z.looseObject({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().optional(),
});

export const redactedThinkingBlockSchema = z.looseObject({
  type: z.literal("redacted_thinking"),
  data: z.string(),
});

const KNOWN_BLOCK_TYPES = new Set([
  "text",
  "image",
  "tool_use",
  "tool_result",
  "thinking",
  "redacted_thinking",
]);

/** A block type this gateway does not translate (documents, server tools…): reported, never silently lost. */
export const otherBlockSchema = z
  .looseObject({ type: z.string().refine((t) => !KNOWN_BLOCK_TYPES.has(t), "malformed content block") })
  .transform((block) => ({ type: "unsupported" as const, blockType: block.type, block }));

export const contentBlockSchema = z.union([
  textBlockSchema,
  imageBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
  thinkingBlockSchema,
  redactedThinkingBlockSchema,
  otherBlockSchema,
]);

export const messageParamSchema = z.looseObject({
  // `system` turns inside `messages` are accepted by newer API versions.
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

export const toolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  // Custom tools carry a schema; Anthropic-hosted tools (web search, bash…) carry a versioned `type` instead.
  input_schema: z.record(z.string(), z.unknown()).optional(),
  type: z.string().nullish(),
  cache_control: cacheControl,
});

export const toolChoiceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({
    type: z.literal("tool"),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.looseObject({ type: z.literal("none") }),
]);

export const thinkingConfigSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().nonnegative() }),
  z.looseObject({ type: z.literal("disabled") }),
  z.looseObject({ type: z.literal("adaptive") }),
  z.looseObject({ type: z.literal("between_tools") }),
]);

export const systemSchema = z.union([z.string(), z.array(textBlockSchema)]);

const requestFields = {
  model: z.string().min(1),
  messages: z.array(messageParamSchema),
  system: systemSchema.optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingConfigSchema.optional(),
  output_config: z
    .looseObject({
      effort: z.string().nullish(),
      format: z
        .object({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) })
        .nullish(),
    })
    .optional(),
};

export const messagesRequestSchema = z.looseObject({
  ...requestFields,
  max_tokens: z.number().int().positive(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

/** `count_tokens` takes the prompt part of a request; generation settings are irrelevant and ignored. */
export const countTokensRequestSchema = z.looseObject(requestFields);

export type TextBlockParam = z.infer<typeof textBlockSchema>;
export type ImageBlockParam = z.infer<typeof imageBlockSchema>;
export type ToolUseBlockParam = z.infer<typeof toolUseBlockSchema>;
export type ToolResultBlockParam = z.infer<typeof toolResultBlockSchema>;
export type ContentBlockParam = z.infer<typeof contentBlockSchema>;
export type MessageParam = z.infer<typeof messageParamSchema>;
export type ToolParam = z.infer<typeof toolSchema>;
export type ToolChoiceParam = z.infer<typeof toolChoiceSchema>;
export type ThinkingConfigParam = z.infer<typeof thinkingConfigSchema>;
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;

/** Human-readable summary of a zod failure, in the style Anthropic uses (`field: problem`). */
export function describeSchemaIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
}
