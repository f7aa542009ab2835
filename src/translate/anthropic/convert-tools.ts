import type { ChatTool, ChatToolChoice } from "./chat-schema.js";
import type { Translated, TranslationWarning } from "./message-types.js";
import type { ToolChoiceParam, ToolParam } from "./messages-schema.js";

export interface ConvertedTools {
  tools: ChatTool[] | undefined;
  toolChoice: ChatToolChoice | undefined;
  /** `false` when the client asked for at most one tool call per turn. */
  parallelToolCalls: boolean | undefined;
}

/** Anthropic `tools` (`input_schema`) and `tool_choice` → OpenAI function tools and `tool_choice`. */
export function convertTools(
  tools: ToolParam[] | undefined,
  toolChoice: ToolChoiceParam | undefined,
): Translated<ConvertedTools> {
  const warnings: TranslationWarning[] = [];
  const converted: ChatTool[] = [];
  for (const tool of tools ?? []) {
    if (tool.input_schema === undefined) {
      // Anthropic-hosted tools (web search, code execution…) run on Anthropic's side; no other model has them.
      warnings.push({
        code: "unsupported_tool",
        message: `The Anthropic server tool "${tool.name}" (${tool.type ?? "no type"}) is not available on this model and was left out.`,
      });
      continue;
    }
    converted.push({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description !== undefined && { description: tool.description }),
        parameters: tool.input_schema,
      },
    });
  }
  const hasTools = converted.length > 0;
  const choice = hasTools ? convertToolChoice(toolChoice) : undefined;
  const disableParallel =
    toolChoice && toolChoice.type !== "none" ? toolChoice.disable_parallel_tool_use : undefined;
  return {
    result: {
      tools: hasTools ? converted : undefined,
      toolChoice: choice,
      parallelToolCalls: hasTools && disableParallel === true ? false : undefined,
    },
    warnings,
  };
}

export function convertToolChoice(choice: ToolChoiceParam | undefined): ChatToolChoice | undefined {
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { type: "function", function: { name: choice.name } };
    default: {
      const unreachable: never = choice;
      throw new Error(`unknown tool_choice ${JSON.stringify(unreachable)}`);
    }
  }
}
