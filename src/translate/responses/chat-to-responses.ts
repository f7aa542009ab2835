import type {
  ChatCompletionRequest,
  ChatContentPart,
  ChatMessage,
  ChatToolChoice,
} from "../../copilot/chat-types.js";
import type { ResponsesInputContent, ResponsesInputItem, ResponsesRequest } from "./responses-types.js";

export interface Translation<T> {
  value: T;
  /** Request features that had no equivalent and were dropped (for a log line, never an error). */
  warnings: string[];
}

function partsOf(content: ChatMessage["content"]): ChatContentPart[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return Array.isArray(content) ? content : [];
}

function userContent(content: ChatMessage["content"], warnings: string[]): ResponsesInputContent[] {
  const out: ResponsesInputContent[] = [];
  for (const part of partsOf(content)) {
    if (part.type === "text" && typeof part.text === "string")
      out.push({ type: "input_text", text: part.text });
    else if (part.type === "image_url") {
      const image = part.image_url as { url?: string; detail?: string } | undefined;
      if (image?.url)
        out.push({
          type: "input_image",
          image_url: image.url,
          ...(image.detail && { detail: image.detail }),
        });
    } else warnings.push(`content part "${part.type}" is not supported by /responses and was dropped`);
  }
  return out;
}

function textOf(content: ChatMessage["content"]): string {
  return partsOf(content)
    .map((p) => (p.type === "text" && typeof p.text === "string" ? p.text : ""))
    .join("");
}

function toolChoice(choice: ChatToolChoice | undefined): ResponsesRequest["tool_choice"] | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === "string") return choice;
  return { type: "function", name: choice.function.name };
}

/**
 * Chat completions request → Responses request, for models that only speak `/responses` (spec §4). Leading system
 * messages become `instructions`; later ones stay in place as developer messages. Tool calls and tool results
 * become `function_call` / `function_call_output` items paired by call id.
 */
export function chatToResponsesRequest(req: ChatCompletionRequest): Translation<ResponsesRequest> {
  const warnings: string[] = [];
  const input: ResponsesInputItem[] = [];
  const instructions: string[] = [];
  let leading = true;
  for (const message of req.messages) {
    switch (message.role) {
      case "system":
      case "developer": {
        const text = textOf(message.content);
        if (leading) instructions.push(text);
        else input.push({ type: "message", role: "developer", content: [{ type: "input_text", text }] });
        break;
      }
      case "user":
        leading = false;
        input.push({ type: "message", role: "user", content: userContent(message.content, warnings) });
        break;
      case "assistant": {
        leading = false;
        const text = textOf(message.content);
        if (text)
          input.push({ type: "message", role: "assistant", content: [{ type: "output_text", text }] });
        for (const call of message.tool_calls ?? []) {
          input.push({
            type: "function_call",
            call_id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          });
        }
        break;
      }
      case "tool":
        leading = false;
        input.push({
          type: "function_call_output",
          call_id: message.tool_call_id ?? "",
          output: textOf(message.content),
        });
        break;
      default:
        warnings.push(`message role "${String((message as { role: unknown }).role)}" was dropped`);
    }
  }
  const out: ResponsesRequest = { model: req.model, input };
  if (instructions.length > 0) out.instructions = instructions.join("\n\n");
  if (req.stream !== undefined) out.stream = req.stream;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens !== undefined) out.max_output_tokens = maxTokens;
  if (req.tools?.length) {
    out.tools = req.tools.map((t) => ({
      type: "function",
      name: t.function.name,
      ...(t.function.description !== undefined && { description: t.function.description }),
      ...(t.function.parameters !== undefined && { parameters: t.function.parameters }),
      ...(t.function.strict !== undefined && { strict: t.function.strict }),
    }));
  }
  const choice = toolChoice(req.tool_choice);
  if (choice !== undefined) out.tool_choice = choice;
  if (req.parallel_tool_calls !== undefined) out.parallel_tool_calls = req.parallel_tool_calls;
  if (req.reasoning_effort) out.reasoning = { effort: req.reasoning_effort };
  if (req.response_format && req.response_format.type !== "text") {
    const rf = req.response_format;
    out.text = {
      format:
        rf.type === "json_schema"
          ? {
              type: "json_schema",
              name: rf.json_schema?.name ?? "response",
              schema: rf.json_schema?.schema ?? {},
              ...(rf.json_schema?.strict !== undefined && { strict: rf.json_schema.strict }),
            }
          : { type: rf.type },
    };
  }
  if (req.user !== undefined) out.user = req.user;
  if (req.stop !== undefined) warnings.push("`stop` has no /responses equivalent and was dropped");
  if (req.n !== undefined && req.n > 1)
    warnings.push("`n` > 1 is not supported by /responses; one choice is returned");
  return { value: out, warnings };
}
