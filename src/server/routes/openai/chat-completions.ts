import { once } from "node:events";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ChatCompletionChunk } from "../../../copilot/chat-types.js";
import type { ChatInput, CopilotClient } from "../../../copilot/client.js";
import type { EventStream } from "../../../copilot/event-stream.js";
import type { CopilotModel } from "../../../copilot/models.js";
import { chatInitiator, hasImageInput } from "../../../copilot/request-hints.js";
import { chatRouteFor } from "../../../copilot/routing.js";
import { describeError } from "../../../errors.js";
import { headerValue } from "../../../http/request.js";
import type { GatewayContext } from "../../create-server.js";
import { pipeEventStream, readBody, startEventStream } from "../../http/relay.js";
import { type ChatRequest, chatRequestSchema } from "../../openai/chat-request.js";
import { normalizeCompletion } from "../../openai/chat-response.js";
import { ChatStreamNormalizer } from "../../openai/chat-stream-normalizer.js";
import type { RequestFacts } from "../../request-context.js";
import { beginModelRequest, openaiErrorEvent, relayRequestId, upstreamBody } from "./shared.js";

/**
 * `POST /chat/completions`. The hot path sends the client's bytes to Copilot's chat endpoint and normalises the
 * answer on the way back; models that only speak `/responses` (the Codex family) go through the client's
 * chat↔Responses translation instead.
 */
export function chatCompletionRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post("/chat/completions", async (request, reply) => {
    const { body, client, facts, signal, model } = await beginModelRequest(
      ctx,
      request,
      reply,
      chatRequestSchema,
      "chat",
    );
    facts.initiator = chatInitiator(body.messages);
    if (model && chatRouteFor(model) === "/responses")
      return translatedChat(client, model, body, reply, facts, signal);

    const upstream = await client.send({
      method: "POST",
      path: "/chat/completions",
      body: upstreamBody(facts.rawBody, body, model?.id),
      signal,
      initiator: facts.initiator,
      vision: hasImageInput(body.messages),
    });
    relayRequestId(reply, facts, upstream);
    const multipleChoices = (body.n ?? 1) > 1;
    const contentType = headerValue(upstream.headers, "content-type") ?? "";
    if (body.stream && contentType.includes("text/event-stream")) {
      const normalizer = new ChatStreamNormalizer({
        includeUsage: body.stream_options?.include_usage === true,
        multipleChoices,
      });
      await pipeEventStream(
        reply,
        upstream,
        {
          push: (chunk) => normalizer.push(chunk),
          end: () => {
            facts.inputTokens = normalizer.usage.inputTokens;
            facts.outputTokens = normalizer.usage.outputTokens;
            facts.cachedTokens = normalizer.usage.cachedTokens;
            return normalizer.end();
          },
          fail: (message) => openaiErrorEvent(message),
        },
        signal,
      );
      return reply;
    }
    const completion = normalizeCompletion(await readBody(upstream), multipleChoices);
    facts.inputTokens = completion.inputTokens;
    facts.outputTokens = completion.outputTokens;
    facts.cachedTokens = completion.cachedTokens;
    return reply.type(contentType || "application/json").send(completion.body);
  });
}

/** A Responses-only model asked through chat: the client translates the request and the answer, streamed too. */
async function translatedChat(
  client: CopilotClient,
  model: CopilotModel,
  body: ChatRequest,
  reply: FastifyReply,
  facts: RequestFacts,
  signal: AbortSignal,
): Promise<FastifyReply> {
  const input = { ...body, model: model.id } as unknown as ChatInput;
  if (!body.stream) {
    const completion = await client.chat({ ...input, stream: false }, { signal });
    facts.inputTokens = completion.usage?.prompt_tokens;
    facts.outputTokens = completion.usage?.completion_tokens;
    facts.cachedTokens = completion.usage?.prompt_tokens_details?.cached_tokens;
    return reply.send(completion);
  }
  const stream = await client.chat({ ...input, stream: true }, { signal });
  await writeChunkStream(reply, stream, body.stream_options?.include_usage === true, facts, signal);
  return reply;
}

/** Serialise translated chunks as chat SSE, with the same usage rule and backpressure as the pass-through. */
async function writeChunkStream(
  reply: FastifyReply,
  stream: EventStream<ChatCompletionChunk>,
  includeUsage: boolean,
  facts: RequestFacts,
  signal: AbortSignal,
): Promise<void> {
  const res = startEventStream(reply);
  try {
    for await (const chunk of stream) {
      if (chunk.usage) {
        facts.inputTokens = chunk.usage.prompt_tokens;
        facts.outputTokens = chunk.usage.completion_tokens;
        facts.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens;
      }
      if (chunk.choices.length === 0 && !(includeUsage && chunk.usage)) continue;
      if (!res.write(`data: ${JSON.stringify(chunk)}\n\n`)) await once(res, "drain", { signal });
    }
    res.end("data: [DONE]\n\n");
  } catch (error) {
    if (signal.aborted || res.destroyed) return;
    res.end(openaiErrorEvent(describeError(error)));
  }
}
