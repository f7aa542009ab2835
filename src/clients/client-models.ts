import { type ClaudeCodeModels, chooseClaudeCodeModels } from "../anthropic/claude-code-env.js";
import {
  type CopilotModel,
  isChatModel,
  modelPolicyState,
  modelSupportsEndpoint,
} from "../copilot/models.js";

/** The models the client setups name, all picked from the live catalogue (never a fixed list). */
export interface ClientModels extends ClaudeCodeModels {
  /** For Codex, which speaks only the Responses API: the newest Codex model, else any `/responses` model, else `main`. */
  responses: string;
}

function byNewestId(a: CopilotModel, b: CopilotModel): number {
  return b.id.localeCompare(a.id, "en", { numeric: true });
}

export function chooseClientModels(catalogue: readonly CopilotModel[]): ClientModels {
  const claude = chooseClaudeCodeModels(catalogue);
  const responses = catalogue
    .filter((m) => isChatModel(m) && modelPolicyState(m) === "enabled")
    .filter((m) => modelSupportsEndpoint(m, "/responses"))
    .sort(byNewestId);
  const codex = responses.find((m) => m.id.toLowerCase().includes("codex")) ?? responses[0];
  return { ...claude, responses: codex?.id ?? claude.main };
}
