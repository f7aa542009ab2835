import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { headerValue } from "../../../http/request.js";
import type { GatewayContext } from "../../create-server.js";
import { readBody } from "../../http/relay.js";
import { beginModelRequest, relayRequestId, upstreamBody } from "./shared.js";

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, "model must name an embeddings model; GET /v1/models lists them"),
  input: z.union([z.string(), z.array(z.unknown()).min(1)]),
  encoding_format: z.string().optional(),
});

interface EmbeddingsAnswer {
  data?: { embedding?: unknown }[];
  usage?: { prompt_tokens?: number };
}

/**
 * The OpenAI SDKs ask for `encoding_format: "base64"` by default and decode what comes back as base64 float32. An
 * answer that still carries arrays of numbers (an upstream that ignores the format) is encoded here, or the SDK
 * would decode numbers as base64 into garbage. Returns whether anything changed.
 */
function encodeAsBase64(answer: EmbeddingsAnswer): boolean {
  let changed = false;
  for (const item of answer.data ?? []) {
    const vector = item.embedding;
    if (!Array.isArray(vector) || !vector.every((v) => typeof v === "number")) continue;
    item.embedding = Buffer.from(new Float32Array(vector).buffer).toString("base64");
    changed = true;
  }
  return changed;
}

/** `POST /embeddings`: forwarded as is (vectors encoded as base64 when the client asked and the upstream did not). */
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
    let answer: EmbeddingsAnswer | undefined;
    try {
      answer = JSON.parse(raw.toString("utf8")) as EmbeddingsAnswer;
      facts.inputTokens = answer.usage?.prompt_tokens;
    } catch {
      // Not JSON: forwarded anyway, the client decides.
    }
    const type = headerValue(upstream.headers, "content-type") ?? "application/json";
    if (body.encoding_format === "base64" && answer && encodeAsBase64(answer))
      return reply.type(type).send(answer);
    return reply.type(type).send(raw);
  });
}
