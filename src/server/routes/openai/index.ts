import type { FastifyInstance } from "fastify";
import type { GatewayContext } from "../../create-server.js";
import { chatCompletionRoutes } from "./chat-completions.js";
import { embeddingRoutes } from "./embeddings.js";
import { modelRoutes } from "./models.js";
import { responsesRoutes } from "./responses.js";

/** The OpenAI-compatible API, under `/v1` and again without the prefix (some clients drop it). */
export async function openaiRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  for (const prefix of ["/v1", ""]) {
    await app.register(
      async (scope) => {
        modelRoutes(scope, ctx);
        chatCompletionRoutes(scope, ctx);
        responsesRoutes(scope, ctx);
        embeddingRoutes(scope, ctx);
      },
      { prefix },
    );
  }
}
