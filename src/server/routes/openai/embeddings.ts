import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { headerValue } from "../../../http/request.js";
import type { GatewayContext } from "../../create-server.js";
import { readBody } from "../../http/relay.js";
import { beginModelRequest, relayRequestId, upstreamBody } from "./shared.js";

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, "model must name an embeddings model; GET /v1/models lists them"),
  input: z.union([z.string(), z.array(z.unknown()).min(1)]),
});

/** `POST /embeddings`: forwarded as is. */
export function embeddingRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post("/embeddings", async (request, reply) => {
    const { body, client, facts, signal, model } = await beginModelRequest(
      ctx,
      request,
      reply,
      embeddingsRequestSchema,
      "embeddings",
    );
    const upstream = await client.send({
      method: "POST",
      path: "/embeddings",
      body: upstreamBody(facts.rawBody, body, model?.id),
      signal,
      initiator: "user",
    });
    relayRequestId(reply, facts, upstream);
    const raw = await readBody(upstream);
    try {
      facts.inputTokens = (
        JSON.parse(raw.toString("utf8")) as { usage?: { prompt_tokens?: number } }
      ).usage?.prompt_tokens;
    } catch {
      // Not JSON: forwarded anyway, the client decides.
    }
    return reply.type(headerValue(upstream.headers, "content-type") ?? "application/json").send(raw);
  });
}
