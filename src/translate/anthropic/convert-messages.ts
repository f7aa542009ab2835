import type { ChatContentPart, ChatImagePart, ChatMessage, ChatToolCall } from "./chat-schema.js";
import type { Translated, TranslationWarning } from "./message-types.js";
import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  MessagesRequest,
  ToolResultBlockParam,
} from "./messages-schema.js";

export interface ConvertedMessages {
  messages: ChatMessage[];
  /** True when any image reaches the upstream: Copilot then needs `Copilot-Vision-Request: true`. */
  needsVision: boolean;
}

/** Anthropic `system` + `messages` → OpenAI chat messages, tool results as `tool` turns right after their call. */
export function convertMessages(
  system: MessagesRequest["system"],
  messages: MessageParam[],
): Translated<ConvertedMessages> {
  const warnings: TranslationWarning[] = [];
  const out: ChatMessage[] = [];
  let needsVision = false;

  const systemText = systemToText(system);
  if (systemText !== undefined) out.push({ role: "system", content: systemText });

  for (const message of messages) {
    if (typeof message.content === "string") {
      out.push(
        message.role === "assistant"
          ? { role: "assistant", content: message.content }
          : { role: message.role, content: message.content },
      );
      continue;
    }
    switch (message.role) {
      case "system": {
        const text = message.content
          .map((block) => (block.type === "text" ? block.text : ""))
          .filter((t) => t !== "")
          .join("\n\n");
        out.push({ role: "system", content: text });
        break;
      }
      case "assistant":
        out.push(convertAssistant(message.content, warnings));
        break;
      case "user": {
        const converted = convertUser(message.content, warnings);
        needsVision ||= converted.needsVision;
        out.push(...converted.messages);
        break;
      }
      default: {
        const unreachable: never = message.role;
        throw new Error(`unknown role ${String(unreachable)}`);
      }
    }
  }
  return { result: { messages: out, needsVision }, warnings };
}

/** System blocks become one system message; Anthropic treats them as consecutive paragraphs of one prompt. */
export function systemToText(system: MessagesRequest["system"]): string | undefined {
  if (system === undefined) return undefined;
  if (typeof system === "string") return system === "" ? undefined : system;
  const text = system.map((block) => block.text).join("\n\n");
  return text === "" ? undefined : text;
}

function convertAssistant(blocks: ContentBlockParam[], warnings: TranslationWarning[]): ChatMessage {
  const texts: string[] = [];
  const toolCalls: ChatToolCall[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "text":
        texts.push(block.text);
        break;
      case "tool_use":
        toolCalls.push({
          id: block.id,
          type: "function",
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        });
        break;
      case "thinking":
      case "redacted_thinking":
        // Reasoning from an earlier turn is only meaningful to the model that wrote it (it is signed).
        break;
      case "image":
      case "tool_result":
        warnings.push({
          code: "unsupported_assistant_block",
          message: `An assistant ${block.type} block cannot be sent to this model and was left out.`,
        });
        break;
      case "unsupported":
        warnings.push(unsupportedBlock(block.blockType));
        break;
      default: {
        const unreachable: never = block;
        throw new Error(`unknown block ${JSON.stringify(unreachable)}`);
      }
    }
  }
  const text = texts.join("");
  return {
    role: "assistant",
    content: text === "" && toolCalls.length > 0 ? null : text,
    ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
  };
}

function convertUser(
  blocks: ContentBlockParam[],
  warnings: TranslationWarning[],
): { messages: ChatMessage[]; needsVision: boolean } {
  const toolMessages: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  let needsVision = false;
  for (const block of blocks) {
    switch (block.type) {
      case "text":
        parts.push({ type: "text", text: block.text });
        break;
      case "image": {
        const image = imagePart(block, warnings);
        if (image) {
          parts.push(image);
          needsVision = true;
        }
        break;
      }
      case "tool_result": {
        const converted = convertToolResult(block, warnings);
        toolMessages.push(converted.message);
        if (converted.images.length > 0) {
          // A chat `tool` turn holds text only, so the images a tool returned follow in the user turn.
          parts.push({ type: "text", text: `[images returned by tool call ${block.tool_use_id}]` });
          parts.push(...converted.images);
          needsVision = true;
        }
        break;
      }
      case "tool_use":
      case "thinking":
      case "redacted_thinking":
        warnings.push({
          code: "unsupported_user_block",
          message: `A user ${block.type} block cannot be sent to this model and was left out.`,
        });
        break;
      case "unsupported":
        warnings.push(unsupportedBlock(block.blockType));
        break;
      default: {
        const unreachable: never = block;
        throw new Error(`unknown block ${JSON.stringify(unreachable)}`);
      }
    }
  }
  const messages: ChatMessage[] = [...toolMessages];
  if (parts.length > 0) {
    const textOnly = parts.every((p) => p.type === "text");
    messages.push({
      role: "user",
      content: textOnly ? parts.map((p) => (p as { text: string }).text).join("\n\n") : parts,
    });
  } else if (toolMessages.length === 0) {
    // An empty user turn still marks a turn boundary; keep it rather than merge two assistant turns.
    messages.push({ role: "user", content: "" });
  }
  return { messages, needsVision };
}

function convertToolResult(
  block: ToolResultBlockParam,
  warnings: TranslationWarning[],
): { message: ChatMessage; images: ChatImagePart[] } {
  const images: ChatImagePart[] = [];
  let text: string;
  if (block.content === undefined) text = "";
  else if (typeof block.content === "string") text = block.content;
  else {
    const texts: string[] = [];
    for (const part of block.content) {
      switch (part.type) {
        case "text":
          texts.push(part.text);
          break;
        case "image": {
          const image = imagePart(part, warnings);
          if (image) images.push(image);
          break;
        }
        case "unsupported":
          // Search results, documents…: the model still gets their content as JSON text.
          texts.push(JSON.stringify(part.block));
          break;
        default: {
          const unreachable: never = part;
          throw new Error(`unknown tool result part ${JSON.stringify(unreachable)}`);
        }
      }
    }
    text = texts.join("\n\n");
  }
  // Chat has no error flag on tool turns; say it in words so the model does not take a failure for output.
  const content = block.is_error ? `Error: ${text}` : text;
  return { message: { role: "tool", tool_call_id: block.tool_use_id, content }, images };
}

function imagePart(block: ImageBlockParam, warnings: TranslationWarning[]): ChatImagePart | undefined {
  const source = block.source;
  switch (source.type) {
    case "base64":
      return { type: "image_url", image_url: { url: `data:${source.media_type};base64,${source.data}` } };
    case "url":
      return { type: "image_url", image_url: { url: source.url } };
    case "file":
      warnings.push({
        code: "unsupported_image_source",
        message: "An image given as an Anthropic file id cannot be fetched here and was left out.",
      });
      return undefined;
    default: {
      const unreachable: never = source;
      throw new Error(`unknown image source ${JSON.stringify(unreachable)}`);
    }
  }
}

function unsupportedBlock(blockType: string): TranslationWarning {
  return {
    code: "unsupported_block",
    message: `A "${blockType}" content block has no OpenAI chat equivalent and was left out.`,
  };
}
