import type { FastifyInstance } from "fastify";
import { sendToCopilot } from "../../../copilot/transport.js";
import { headerValue } from "../../../http/request.js";
import type { GatewayContext } from "../../create-server.js";
import { invalidRequest } from "../../errors/gateway-errors.js";
import { clientAbortSignal, pipeEventStream, readBody } from "../../http/relay.js";
import { supportsEndpoint } from "../../model-catalogue.js";
import { chatHasImage, chatInitiator, chatRequestSchema } from "../../openai/chat-request.js";
import { normalizeCompletion } from "../../openai/chat-response.js";
import { ChatStreamNormalizer } from "../../openai/chat-stream-normalizer.js";
import { lookupModel, openaiErrorEvent, parseBody, requireSession } from "./shared.js";

/** `POST /chat/completions`: the client's bytes go to Copilot as they came; the answer is normalised on the way back. */
export function chatCompletionRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post("/chat/completions", async (request, reply) => {
    const session = requireSession(ctx, request);
    const body = parseBody(chatRequestSchema, request.body);
    const facts = request.facts;
    facts.model = body.model;
    facts.stream = body.stream === true;
    const model = await lookupModel(ctx, body.model);
    if (model && !supportsEndpoint(model, "/chat/completions")) {
      throw invalidRequest(
        `The model "${body.model}" is not served at /chat/completions by Copilot (it supports ${model.supported_endpoints?.join(", ") || "no listed endpoint"}); use /v1/responses for it.`,
        "unsupported_api_for_model",
      );
    }
    const signal = clientAbortSignal(reply);
    const upstream = await sendToCopilot(session, {
      method: "POST",
      path: "/chat/completions",
      body: facts.rawBody,
      signal,
      initiator: chatInitiator(body.messages),
      vision: chatHasImage(body.messages),
    });
    facts.upstreamRequestId = headerValue(upstream.headers, "x-request-id");
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
    return reply.type(contentType || "application/json").send(completion.body);
  });
}
