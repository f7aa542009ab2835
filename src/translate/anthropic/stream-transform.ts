import { randomUUID } from "node:crypto";
import { redactSecrets } from "../../util/redact.js";
import { type ChatChunk, type ChatUsage, chatChunkSchema } from "./chat-schema.js";
import { messageIdFor } from "./convert-response.js";
import { convertUsage } from "./convert-usage.js";
import { mapStopReason, matchedStopOf } from "./map-stop-reason.js";
import type { AnthropicErrorType, MessageStreamEvent, TranslationWarning } from "./message-types.js";

export interface StreamContext {
  /** The model id the client asked for, used when the upstream leaves `model` empty. */
  requestedModel: string;
  stopSequences?: readonly string[] | undefined;
  /** Input tokens to report in `message_start` (the upstream only tells at the end); 0 when unknown. */
  inputTokensEstimate?: number | undefined;
}

/** Turns OpenAI chat chunks into Anthropic stream events, one call per chunk; all state lives in the closure. */
export interface MessagesStreamTranslator {
  /** One upstream chunk (parsed JSON of a `data:` line) → the events it completes. */
  push(chunk: unknown): MessageStreamEvent[];
  /** The upstream ended: close any open block, then `message_delta` and `message_stop`. */
  finish(): MessageStreamEvent[];
  /** The upstream failed: an Anthropic `error` event, after which nothing more is sent. */
  fail(message: string, type?: AnthropicErrorType): MessageStreamEvent[];
  readonly warnings: readonly TranslationWarning[];
}

interface OpenBlock {
  kind: "text" | "thinking" | "tool_use";
  index: number;
}

interface ToolBlock {
  index: number;
  id: string;
}

export function createMessagesStreamTranslator(context: StreamContext): MessagesStreamTranslator {
  const warnings: TranslationWarning[] = [];
  let started = false;
  let ended = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  // Tool calls by `choice:index`. A new `id` at a known index is a new call (Claude reuses index 0, spec §8).
  const tools = new Map<string, ToolBlock>();
  let finishReason: string | undefined;
  let matchedStop: unknown;
  let usage: ChatUsage | undefined;

  const start = (chunk: ChatChunk | undefined, events: MessageStreamEvent[]) => {
    if (started) return;
    started = true;
    events.push(
      {
        type: "message_start",
        message: {
          id: messageIdFor(chunk?.id),
          type: "message",
          role: "assistant",
          model: chunk?.model || context.requestedModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: context.inputTokensEstimate ?? 0,
            output_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        },
      },
      { type: "ping" },
    );
  };

  const close = (events: MessageStreamEvent[]) => {
    if (!open) return;
    events.push({ type: "content_block_stop", index: open.index });
    open = undefined;
  };

  const openBlock = (kind: "text" | "thinking", events: MessageStreamEvent[]): number => {
    if (open?.kind === kind) return open.index;
    close(events);
    const index = nextIndex++;
    open = { kind, index };
    events.push({
      type: "content_block_start",
      index,
      content_block:
        kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" },
    });
    return index;
  };

  const toolBlockFor = (
    key: string,
    id: string | null | undefined,
    name: string | null | undefined,
    events: MessageStreamEvent[],
  ): ToolBlock => {
    const known = tools.get(key);
    if (known && (!id || id === known.id)) return known;
    close(events);
    const block: ToolBlock = { index: nextIndex++, id: id || `toolu_${randomUUID().replaceAll("-", "")}` };
    tools.set(key, block);
    open = { kind: "tool_use", index: block.index };
    events.push({
      type: "content_block_start",
      index: block.index,
      content_block: { type: "tool_use", id: block.id, name: name ?? "", input: {} },
    });
    return block;
  };

  const push = (raw: unknown): MessageStreamEvent[] => {
    if (ended) return [];
    const parsed = chatChunkSchema.safeParse(raw);
    if (!parsed.success) {
      warnings.push({
        code: "invalid_chunk",
        message: "An upstream stream chunk had an unexpected shape; skipped.",
      });
      return [];
    }
    const chunk = parsed.data;
    if (chunk.error)
      return fail(chunk.error.message || "The upstream model failed in the middle of the answer.");
    const choices = chunk.choices ?? [];
    const events: MessageStreamEvent[] = [];
    // The prompt-filter first chunk (no choices, no usage) carries nothing for the client.
    if (choices.length > 0 || chunk.usage) start(chunk, events);
    for (const choice of choices) {
      const delta = choice.delta;
      if (delta?.reasoning_text) {
        const index = openBlock("thinking", events);
        events.push({
          type: "content_block_delta",
          index,
          delta: { type: "thinking_delta", thinking: delta.reasoning_text },
        });
      }
      if (delta?.reasoning_opaque) {
        const index = openBlock("thinking", events);
        events.push({
          type: "content_block_delta",
          index,
          delta: { type: "signature_delta", signature: delta.reasoning_opaque },
        });
      }
      if (delta?.content) {
        const index = openBlock("text", events);
        events.push({
          type: "content_block_delta",
          index,
          delta: { type: "text_delta", text: delta.content },
        });
      }
      for (const call of delta?.tool_calls ?? []) {
        const key = `${choice.index ?? 0}:${call.index ?? 0}`;
        const block = toolBlockFor(key, call.id, call.function?.name, events);
        const args = call.function?.arguments;
        if (args) {
          events.push({
            type: "content_block_delta",
            index: block.index,
            delta: { type: "input_json_delta", partial_json: args },
          });
        }
      }
      if (choice.finish_reason && (finishReason === undefined || finishReason === "stop")) {
        finishReason = choice.finish_reason;
        matchedStop = matchedStopOf(choice);
      }
    }
    if (chunk.usage) usage = chunk.usage;
    return events;
  };

  const finish = (): MessageStreamEvent[] => {
    if (ended) return [];
    const events: MessageStreamEvent[] = [];
    start(undefined, events);
    close(events);
    ended = true;
    const stop = mapStopReason(finishReason, {
      hasToolUse: tools.size > 0,
      matchedStop,
      stopSequences: context.stopSequences,
    });
    events.push(
      {
        type: "message_delta",
        delta: { stop_reason: stop.stopReason, stop_sequence: stop.stopSequence },
        usage: convertUsage(usage, context.inputTokensEstimate ?? 0),
      },
      { type: "message_stop" },
    );
    return events;
  };

  const fail = (message: string, type: AnthropicErrorType = "api_error"): MessageStreamEvent[] => {
    if (ended) return [];
    ended = true;
    return [{ type: "error", error: { type, message: redactSecrets(message) } }];
  };

  return { push, finish, fail, warnings };
}

/** The same translation as a web `TransformStream`, for callers that pipe parsed chunks. */
export function chatChunksToMessageEvents(
  context: StreamContext,
): TransformStream<unknown, MessageStreamEvent> {
  const translator = createMessagesStreamTranslator(context);
  return new TransformStream({
    transform(chunk, controller) {
      for (const event of translator.push(chunk)) controller.enqueue(event);
    },
    flush(controller) {
      for (const event of translator.finish()) controller.enqueue(event);
    },
  });
}

/** One event as Anthropic frames it on the wire: `event: <type>` then `data: <json>`. */
export function encodeMessageEvent(event: MessageStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
