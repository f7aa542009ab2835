import type { FastifyInstance } from "fastify";
import { modelSupportsEndpoint } from "../../../copilot/models.js";
import { hasImageInput, responsesInitiator } from "../../../copilot/request-hints.js";
import { headerValue } from "../../../http/request.js";
import type { GatewayContext } from "../../create-server.js";
import { invalidRequest } from "../../errors/gateway-errors.js";
import { passThrough, pipeEventStream, readBody } from "../../http/relay.js";
import { responsesRequestSchema, responsesUsage } from "../../openai/responses-request.js";
import { beginModelRequest, relayRequestId, upstreamBody } from "./shared.js";

/** `event: error` as the Responses API streams it (OpenAI SDKs raise it). */
function responsesErrorEvent(message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", code: "upstream_stream_error", message, param: null })}\n\n`;
}

/** `POST /responses`: forwarded to Copilot's Responses endpoint for every model that lists it. */
export function responsesRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post("/responses", async (request, reply) => {
    const { body, client, facts, signal, model } = await beginModelRequest(
      ctx,
      request,
      reply,
      responsesRequestSchema,
      "chat",
      (model) => {
        if (!modelSupportsEndpoint(model, "/responses"))
          throw invalidRequest(
            `The model "${model.id}" is not served at /responses by Copilot (it offers ${model.supported_endpoints?.join(", ") || "/chat/completions"}); use /v1/chat/completions for it.`,
            "unsupported_api_for_model",
          );
      },
    );
    facts.initiator = responsesInitiator(body.input);
    const upstream = await client.send({
      method: "POST",
      path: "/responses",
      body: upstreamBody(facts.rawBody, body, model?.id),
      signal,
      initiator: facts.initiator,
      vision: Array.isArray(body.input) && hasImageInput(body.input),
    });
    relayRequestId(reply, facts, upstream);
    const contentType = headerValue(upstream.headers, "content-type") ?? "";
    if (body.stream && contentType.includes("text/event-stream")) {
      await pipeEventStream(reply, upstream, passThrough(responsesErrorEvent), signal);
      return reply;
    }
    const raw = await readBody(upstream);
    const usage = responsesUsage(raw);
    facts.inputTokens = usage.inputTokens;
    facts.outputTokens = usage.outputTokens;
    facts.cachedTokens = usage.cachedTokens;
    return reply.type(contentType || "application/json").send(raw);
  });
}
