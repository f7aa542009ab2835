import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { sendToCopilot } from "../../../copilot/transport.js";
import { headerValue } from "../../../http/request.js";
import type { GatewayContext } from "../../create-server.js";
import { invalidRequest } from "../../errors/gateway-errors.js";
import { clientAbortSignal, readBody } from "../../http/relay.js";
import { lookupModel, parseBody, requireSession } from "./shared.js";

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, "model must name an embeddings model; GET /v1/models lists them"),
  input: z.union([z.string(), z.array(z.unknown()).min(1)]),
});

/** `POST /embeddings`: forwarded as is. */
export function embeddingRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post("/embeddings", async (request, reply) => {
    const session = requireSession(ctx, request);
    const body = parseBody(embeddingsRequestSchema, request.body);
    request.facts.model = body.model;
    const model = await lookupModel(ctx, body.model);
    const type = model?.capabilities?.type;
    if (type !== undefined && type !== "embeddings")
      throw invalidRequest(
        `The model "${body.model}" is a ${type} model, not an embeddings model; GET /v1/models lists models with capabilities.type "embeddings".`,
        "model_not_embeddings",
      );
    const upstream = await sendToCopilot(session, {
      method: "POST",
      path: "/embeddings",
      body: request.facts.rawBody,
      signal: clientAbortSignal(reply),
    });
    request.facts.upstreamRequestId = headerValue(upstream.headers, "x-request-id");
    const raw = await readBody(upstream);
    try {
      const usage = (JSON.parse(raw.toString("utf8")) as { usage?: { prompt_tokens?: number } }).usage;
      request.facts.inputTokens = usage?.prompt_tokens;
    } catch {
      // Not JSON: forwarded anyway, the client decides.
    }
    return reply.type(headerValue(upstream.headers, "content-type") ?? "application/json").send(raw);
  });
}
