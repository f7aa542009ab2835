import { z } from "zod";
import type { CallOptions, ChatInput, CopilotClient } from "../copilot/client.js";
import { type CopilotModel, isChatModel, modelSupportsEndpoint } from "../copilot/models.js";
import { hasImageInput } from "../copilot/request-hints.js";
import { resolveModel } from "../copilot/resolve-model.js";
import { GatewayError } from "../errors.js";
import { headerValue } from "../http/request.js";
import { StreamProtocolError, streamReadFailure } from "../sse/stream-errors.js";
import { chatCompletionSchema } from "../translate/anthropic/chat-schema.js";
import { convertRequest, type TargetModel } from "../translate/anthropic/convert-request.js";
import { convertResponse } from "../translate/anthropic/convert-response.js";
import { anthropicErrorFromThrown } from "../translate/anthropic/error-envelope.js";
import type { AnthropicMessage, TranslationWarning } from "../translate/anthropic/message-types.js";
import { describeSchemaIssues, messagesRequestSchema } from "../translate/anthropic/messages-schema.js";
import {
  createMessagesStreamTranslator,
  encodeMessageEvent,
} from "../translate/anthropic/stream-transform.js";
import { countMessagesTokens } from "./count-tokens.js";
import { initiatorForMessages, isClaudeCodeClient } from "./initiator.js";
import { type ModelMap, resolveAnthropicModel } from "./model-names.js";
import { NativeUsageReader } from "./native-usage.js";

/** What the Anthropic endpoint needs: the Copilot client, the user's model aliases, a place for notes. */
export interface AnthropicContext {
  client: CopilotClient;
  modelMap: ModelMap;
  /** Translation notes (a dropped thinking setting, a clamped max_tokens…), for the request log. */
  onWarning?: ((warning: TranslationWarning & { model: string }) => void) | undefined;
  /** Token usage of a translated answer once known, for the request log. */
  onUsage?:
    | ((usage: { inputTokens: number; outputTokens: number; cachedTokens?: number | undefined }) => void)
    | undefined;
  /**
   * Awaited just before the model request goes upstream, with the resolved model id (the gateway's `--manual` and
   * `--rate-limit` gate); rejecting answers the client with that error instead.
   */
  beforeUpstream?: ((modelId: string) => Promise<void>) | undefined;
}

/** An incoming request as the route sees it: the parsed JSON body and the lower-cased headers. */
export interface AnthropicIncoming {
  body: unknown;
  /** The body's bytes as received: forwarded untouched to the native endpoint when the model id needs no change. */
  rawBody?: Buffer | undefined;
  headers: Record<string, string | string[] | undefined>;
  signal?: AbortSignal | undefined;
}

/** How to answer: JSON, or a body to relay (SSE text, or native bytes). `path` says which way it went. */
export type MessagesOutcome =
  | { kind: "json"; status: number; body: AnthropicMessage; path: "translated"; model: string }
  | {
      kind: "stream";
      status: number;
      contentType: string;
      body: AsyncIterable<string | Uint8Array>;
      path: "native" | "translated";
      model: string;
      upstreamRequestId?: string | undefined;
    };

const envelopeSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(z.unknown()),
  stream: z.boolean().optional(),
  tools: z.array(z.unknown()).optional(),
});

function invalidRequest(message: string): GatewayError {
  return new GatewayError("invalid_request", message, { status: 400 });
}

/** The catalogue entry for an Anthropic model id (resolved through the user's map and Anthropic's id forms). */
export async function resolveAnthropicTarget(
  ctx: AnthropicContext,
  requested: string,
  signal?: AbortSignal,
): Promise<CopilotModel> {
  const models = await ctx.client.models({ signal });
  const id = resolveAnthropicModel(
    requested,
    models.filter(isChatModel).map((m) => m.id),
    ctx.modelMap,
  );
  // Policy (disabled, awaiting consent) is checked by the client's resolver with its own typed errors.
  return resolveModel(models, id, "chat");
}

function targetOf(model: CopilotModel): TargetModel {
  return {
    id: model.id,
    maxOutputTokens: model.capabilities.limits?.max_output_tokens,
    reasoningEfforts: model.capabilities.supports?.reasoning_effort,
  };
}

/** The headers Anthropic clients send that Copilot's native endpoint understands. */
function anthropicHeaders(headers: AnthropicIncoming["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["anthropic-beta", "anthropic-version"]) {
    const value = headerValue(headers, name);
    if (value) out[name] = value;
  }
  return out;
}

/** Bytes of an upstream body, ending with an Anthropic `error` event if the connection fails mid-stream. */
async function* relayWithErrorEvent(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
  usage: NativeUsageReader | undefined,
  onUsage: AnthropicContext["onUsage"],
): AsyncGenerator<Uint8Array | string> {
  try {
    for await (const chunk of body) {
      usage?.push(chunk);
      yield chunk;
    }
  } catch (error) {
    const { body: envelope } = anthropicErrorFromThrown(streamReadFailure(error, signal));
    yield encodeMessageEvent(envelope);
  } finally {
    const seen = usage?.finish();
    if (seen) onUsage?.(seen);
  }
}

/**
 * `POST /v1/messages`. Claude models that list `/v1/messages` get the request as sent (model id resolved,
 * `anthropic-beta`/`anthropic-version` forwarded) and their answer byte for byte. Every other chat model gets
 * it translated to OpenAI chat (or Responses, by the client's routing) and the answer translated back.
 */
export async function createMessage(
  ctx: AnthropicContext,
  incoming: AnthropicIncoming,
): Promise<MessagesOutcome> {
  const envelope = envelopeSchema.safeParse(incoming.body);
  if (!envelope.success) throw invalidRequest(`Invalid request: ${describeSchemaIssues(envelope.error)}`);
  const { signal } = incoming;
  const model = await resolveAnthropicTarget(ctx, envelope.data.model, signal);
  const claudeCode = isClaudeCodeClient({
    "user-agent": headerValue(incoming.headers, "user-agent"),
    "x-app": headerValue(incoming.headers, "x-app"),
  });
  const initiator = initiatorForMessages(
    { messages: envelope.data.messages, tools: envelope.data.tools },
    { claudeCode },
  );

  if (modelSupportsEndpoint(model, "/v1/messages")) {
    await ctx.beforeUpstream?.(model.id);
    const response = await ctx.client.send({
      method: "POST",
      path: "/v1/messages",
      body:
        incoming.rawBody && model.id === envelope.data.model
          ? incoming.rawBody
          : JSON.stringify({ ...envelope.data, model: model.id }),
      signal,
      initiator,
      vision: hasImageInput(envelope.data.messages),
      headers: anthropicHeaders(incoming.headers),
    });
    const contentType =
      headerValue(response.headers, "content-type") ??
      (envelope.data.stream ? "text/event-stream" : "application/json");
    return {
      kind: "stream",
      status: response.statusCode,
      contentType,
      // Usage is read only from successful answers, and only when someone records it.
      body: relayWithErrorEvent(
        response.body,
        signal,
        ctx.onUsage && response.statusCode < 300
          ? new NativeUsageReader(contentType.includes("text/event-stream"))
          : undefined,
        ctx.onUsage,
      ),
      path: "native",
      model: model.id,
      upstreamRequestId: headerValue(response.headers, "x-request-id"),
    };
  }

  const parsed = messagesRequestSchema.safeParse(incoming.body);
  if (!parsed.success) throw invalidRequest(`Invalid request: ${describeSchemaIssues(parsed.error)}`);
  const request = parsed.data;
  const translated = convertRequest(request, targetOf(model));
  for (const warning of translated.warnings) ctx.onWarning?.({ ...warning, model: model.id });
  const options: CallOptions = { signal, initiator };
  const chatRequest = translated.result.request as ChatInput;
  await ctx.beforeUpstream?.(model.id);

  if (!request.stream) {
    const completion = await ctx.client.chat({ ...chatRequest, stream: false }, options);
    const checked = chatCompletionSchema.safeParse(completion);
    if (!checked.success)
      throw new StreamProtocolError(`Copilot answered ${model.id} with an unexpected chat completion shape.`);
    const answer = convertResponse(checked.data, {
      requestedModel: request.model,
      stopSequences: request.stop_sequences,
    });
    for (const warning of answer.warnings) ctx.onWarning?.({ ...warning, model: model.id });
    const usage = answer.result.usage;
    ctx.onUsage?.({
      inputTokens: usage.input_tokens + usage.cache_read_input_tokens,
      outputTokens: usage.output_tokens,
      cachedTokens: usage.cache_read_input_tokens,
    });
    return { kind: "json", status: 200, body: answer.result, path: "translated", model: model.id };
  }

  const stream = await ctx.client.chat({ ...chatRequest, stream: true }, options);
  const translator = createMessagesStreamTranslator({
    requestedModel: request.model,
    stopSequences: request.stop_sequences,
  });
  async function* events(): AsyncGenerator<string> {
    try {
      // One write per upstream chunk: its events are joined rather than written one by one.
      for await (const chunk of stream) {
        const events = translator.push(chunk);
        if (events.length > 0) yield events.map(encodeMessageEvent).join("");
      }
      for (const event of translator.finish()) {
        if (event.type === "message_delta")
          ctx.onUsage?.({
            inputTokens: event.usage.input_tokens + event.usage.cache_read_input_tokens,
            outputTokens: event.usage.output_tokens,
            cachedTokens: event.usage.cache_read_input_tokens,
          });
        yield encodeMessageEvent(event);
      }
    } catch (error) {
      const { body } = anthropicErrorFromThrown(error);
      for (const event of translator.fail(body.error.message, body.error.type))
        yield encodeMessageEvent(event);
    } finally {
      for (const warning of translator.warnings) ctx.onWarning?.({ ...warning, model: model.id });
    }
  }
  return {
    kind: "stream",
    status: 200,
    contentType: "text/event-stream",
    body: events(),
    path: "translated",
    model: model.id,
  };
}

/**
 * `POST /v1/messages/count_tokens`, counted locally with the tokenizer the model's catalogue entry names. A model
 * that cannot be resolved is still counted (with o200k_base): counting needs no model, and Claude Code calls this
 * for context bookkeeping, where an error would only stall it.
 */
export async function countTokens(
  ctx: Omit<AnthropicContext, "client"> & { client: CopilotClient | undefined },
  incoming: AnthropicIncoming,
): Promise<{ input_tokens: number }> {
  const requested = (incoming.body as { model?: unknown } | null)?.model;
  let tokenizer: string | undefined;
  if (ctx.client && typeof requested === "string" && requested !== "") {
    const model = await resolveAnthropicTarget(
      { ...ctx, client: ctx.client },
      requested,
      incoming.signal,
    ).catch(() => undefined);
    tokenizer = model?.capabilities.tokenizer;
  }
  const { input_tokens } = await countMessagesTokens(incoming.body, { tokenizer });
  return { input_tokens };
}
