import { ModelCapabilityError } from "./model-errors.js";
import { type CopilotModel, type ModelEndpoint, modelSupportsEndpoint } from "./models.js";

export type ChatRoute = "/chat/completions" | "/responses";

/**
 * Where a chat request for `model` goes: `/chat/completions` when the model lists it (or lists nothing, like older
 * models), else `/responses` through the translation (the Codex family), else nowhere.
 */
export function chatRouteFor(model: CopilotModel): ChatRoute {
  if (modelSupportsEndpoint(model, "/chat/completions")) return "/chat/completions";
  if (modelSupportsEndpoint(model, "/responses")) return "/responses";
  throw new ModelCapabilityError(
    model.id,
    `"${model.id}" cannot be used for chat: it only offers ${(model.supported_endpoints ?? []).join(", ") || "no endpoint"}.`,
  );
}

/** Throws unless the model lists `endpoint`. */
export function requireEndpoint(model: CopilotModel, endpoint: ModelEndpoint): void {
  if (
    endpoint === "/embeddings"
      ? model.capabilities.type === "embeddings"
      : modelSupportsEndpoint(model, endpoint)
  )
    return;
  throw new ModelCapabilityError(
    model.id,
    `"${model.id}" does not support ${endpoint} (it offers ${(model.supported_endpoints ?? ["/chat/completions"]).join(", ")}).`,
  );
}
