import { GatewayError } from "../errors.js";
import {
  type ContentBlockParam,
  type CountTokensRequest,
  countTokensRequestSchema,
  describeSchemaIssues,
} from "../translate/anthropic/messages-schema.js";
import { imageTokenEstimate } from "./image-tokens.js";

/**
 * Claude's tokenizer is not public. Copilot's catalogue names `o200k_base` for its Claude models, and it is the
 * closest real BPE we have, so it is the default for any model whose tokenizer we do not ship.
 */
export const DEFAULT_TOKENIZER = "o200k_base";

/** Tokens each message costs beyond its content (role and separators), as OpenAI's chat format counts them. */
const PER_MESSAGE_OVERHEAD = 3;
/** Tokens that prime the reply. */
const REPLY_PRIMING = 3;

type TokenCounter = (text: string) => number;

/** Load the gpt-tokenizer encoding by name (lazily: each encoding is megabytes of tables). */
async function loadCounter(tokenizer: string | undefined): Promise<{ name: string; count: TokenCounter }> {
  const options = { disallowedSpecial: new Set<string>() };
  switch (tokenizer) {
    case "cl100k_base": {
      const { countTokens } = await import("gpt-tokenizer/encoding/cl100k_base");
      return { name: "cl100k_base", count: (text) => countTokens(text, options) };
    }
    case "p50k_base": {
      const { countTokens } = await import("gpt-tokenizer/encoding/p50k_base");
      return { name: "p50k_base", count: (text) => countTokens(text, options) };
    }
    case "r50k_base": {
      const { countTokens } = await import("gpt-tokenizer/encoding/r50k_base");
      return { name: "r50k_base", count: (text) => countTokens(text, options) };
    }
    default: {
      const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
      return { name: DEFAULT_TOKENIZER, count: (text) => countTokens(text, options) };
    }
  }
}

function countBlock(block: ContentBlockParam, count: TokenCounter): number {
  switch (block.type) {
    case "text":
      return count(block.text);
    case "image":
      return imageTokenEstimate(block.source);
    case "tool_use":
      return count(block.name) + count(JSON.stringify(block.input ?? {}));
    case "tool_result": {
      if (block.content === undefined) return 0;
      if (typeof block.content === "string") return count(block.content);
      let total = 0;
      for (const part of block.content) {
        switch (part.type) {
          case "text":
            total += count(part.text);
            break;
          case "image":
            total += imageTokenEstimate(part.source);
            break;
          case "unsupported":
            total += count(JSON.stringify(part.block));
            break;
          default: {
            const unreachable: never = part;
            throw new Error(`unknown tool result part ${JSON.stringify(unreachable)}`);
          }
        }
      }
      return total;
    }
    case "thinking":
      return count(block.thinking);
    case "redacted_thinking":
      // Encrypted reasoning: its length in base64 says little; count it as the text it encodes roughly to.
      return Math.ceil(block.data.length / 4);
    case "unsupported":
      return count(JSON.stringify(block.block));
    default: {
      const unreachable: never = block;
      throw new Error(`unknown block ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Tokens of a validated request: system, every message and block, and the tools' JSON definitions. */
export function countRequestTokens(request: CountTokensRequest, count: TokenCounter): number {
  let total = REPLY_PRIMING;
  if (request.system !== undefined) {
    const text =
      typeof request.system === "string" ? request.system : request.system.map((b) => b.text).join("\n\n");
    if (text !== "") total += PER_MESSAGE_OVERHEAD + count(text);
  }
  for (const message of request.messages) {
    total += PER_MESSAGE_OVERHEAD;
    if (typeof message.content === "string") total += count(message.content);
    else for (const block of message.content) total += countBlock(block, count);
  }
  for (const tool of request.tools ?? []) {
    total += count(
      JSON.stringify({
        name: tool.name,
        description: tool.description,
        input_schema: tool.input_schema ?? tool.type,
      }),
    );
  }
  return total;
}

/**
 * `POST /v1/messages/count_tokens`: validate the body and count it with the model's tokenizer (`tokenizer` is
 * the catalogue's `capabilities.tokenizer`). A malformed body is a 400, never a made-up count.
 */
export async function countMessagesTokens(
  body: unknown,
  options: { tokenizer?: string | undefined } = {},
): Promise<{ input_tokens: number; tokenizer: string }> {
  const parsed = countTokensRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new GatewayError(
      "invalid_request",
      `Invalid count_tokens request: ${describeSchemaIssues(parsed.error)}`,
      {
        status: 400,
      },
    );
  }
  const counter = await loadCounter(options.tokenizer);
  return { input_tokens: countRequestTokens(parsed.data, counter.count), tokenizer: counter.name };
}
