import type { FastifyInstance } from "fastify";
import type { GatewayContext } from "../../create-server.js";
import { modelNotFound } from "../../errors/gateway-errors.js";
import type { Catalogue, CatalogueModel } from "../../model-catalogue.js";
import { closeMatches, requireSession } from "./shared.js";

/** OpenAI's model object, with Copilot's own fields (capabilities, endpoints, policy, billing) kept alongside. */
export function toOpenAIModel(model: CatalogueModel) {
  return { ...model, id: model.id, object: "model", created: 0, owned_by: model.vendor ?? "github-copilot" };
}

/** `GET /models` and `GET /models/:id` from the cached catalogue; the list body is serialised once per fetch. */
export function modelRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const rendered = new WeakMap<Catalogue, string>();

  app.get("/models", async (request, reply) => {
    requireSession(ctx, request);
    const catalogue = await ctx.runtime.catalogue()!.get();
    let body = rendered.get(catalogue);
    if (body === undefined) {
      body = JSON.stringify({ object: "list", data: catalogue.models.map(toOpenAIModel) });
      rendered.set(catalogue, body);
    }
    return reply.type("application/json; charset=utf-8").send(body);
  });

  app.get<{ Params: { id: string } }>("/models/:id", async (request) => {
    requireSession(ctx, request);
    const catalogue = await ctx.runtime.catalogue()!.get();
    const model = catalogue.byId.get(request.params.id);
    if (!model)
      throw modelNotFound(request.params.id, closeMatches(request.params.id, [...catalogue.byId.keys()]));
    return toOpenAIModel(model);
  });
}
