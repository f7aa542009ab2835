import type { FastifyInstance } from "fastify";
import { anthropicModelList, toAnthropicModel } from "../../../anthropic/model-list.js";
import type { CopilotModel } from "../../../copilot/models.js";
import type { GatewayContext } from "../../create-server.js";
import { requireClient, resolveRequestModel } from "./shared.js";

/** OpenAI's model object, with Copilot's own fields (capabilities, endpoints, policy, billing) kept alongside. */
export function toOpenAIModel(model: CopilotModel) {
  return { ...model, object: "model", created: 0, owned_by: model.vendor ?? "github-copilot" };
}

/** `GET /models` and `GET /models/:id` from the cached catalogue; the list body is serialised once per fetch. */
export function modelRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const rendered = new WeakMap<readonly CopilotModel[], string>();

  app.get("/models", async (request, reply) => {
    const models = await requireClient(ctx, request).models();
    // Anthropic clients (Claude Code's model discovery) send anthropic-version and read Anthropic's list shape.
    if (request.headers["anthropic-version"]) return anthropicModelList(models);
    let body = rendered.get(models);
    if (body === undefined) {
      body = JSON.stringify({ object: "list", data: models.map(toOpenAIModel) });
      rendered.set(models, body);
    }
    return reply.type("application/json; charset=utf-8").send(body);
  });

  app.get<{ Params: { id: string } }>("/models/:id", async (request) => {
    const client = requireClient(ctx, request);
    const model =
      (await resolveRequestModel(client, request.params.id, "any")) ??
      (await client.model(request.params.id, "any"));
    return request.headers["anthropic-version"] ? toAnthropicModel(model) : toOpenAIModel(model);
  });
}
