import type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChatToolCall,
  ChatUsage,
} from "./chat-types.js";

interface ChoiceState {
  content: string;
  reasoning: string;
  toolCalls: ChatToolCall[];
  /** Stream `index` of a tool call → its position in `toolCalls` (re-pointed when a new id reuses an index). */
  byIndex: Map<number, number>;
  finish: string | null;
}

/**
 * Folds chat chunks into the completion they describe. Tool calls are split on a change of `id`, not only of
 * `index`, because Claude reuses index 0 for a second parallel call (spec §8); fragments without an id append
 * their `arguments` to the call their index points at.
 */
export class ChatAccumulator {
  #id = "";
  #model = "";
  #created = 0;
  #usage: ChatUsage | undefined;
  readonly #choices = new Map<number, ChoiceState>();

  push(chunk: ChatCompletionChunk): void {
    if (!this.#id && chunk.id) this.#id = chunk.id;
    if (!this.#model && chunk.model) this.#model = chunk.model;
    if (!this.#created && chunk.created) this.#created = chunk.created;
    if (chunk.usage) this.#usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      let state = this.#choices.get(choice.index);
      if (!state) {
        state = { content: "", reasoning: "", toolCalls: [], byIndex: new Map(), finish: null };
        this.#choices.set(choice.index, state);
      }
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string") state.content += delta.content;
      if (typeof delta.reasoning_text === "string") state.reasoning += delta.reasoning_text;
      for (const call of delta.tool_calls ?? []) {
        const at = state.byIndex.get(call.index);
        const current = at === undefined ? undefined : state.toolCalls[at];
        if (!current || (call.id && call.id !== current.id)) {
          state.toolCalls.push({
            id: call.id ?? `call_${state.toolCalls.length}`,
            type: "function",
            function: { name: call.function?.name ?? "", arguments: call.function?.arguments ?? "" },
          });
          state.byIndex.set(call.index, state.toolCalls.length - 1);
        } else {
          if (call.function?.name) current.function.name ||= call.function.name;
          if (call.function?.arguments) current.function.arguments += call.function.arguments;
        }
      }
      if (choice.finish_reason) state.finish = choice.finish_reason;
    }
  }

  /** The completion so far (call after the last chunk). */
  result(fallbackModel = ""): ChatCompletion {
    const choices: ChatCompletionChoice[] = [...this.#choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => {
        const message: ChatCompletionChoice["message"] = {
          role: "assistant",
          content: s.content === "" && s.toolCalls.length > 0 ? null : s.content,
        };
        if (s.toolCalls.length > 0) message.tool_calls = s.toolCalls;
        if (s.reasoning) message.reasoning_text = s.reasoning;
        return { index, message, finish_reason: s.finish };
      });
    const completion: ChatCompletion = {
      id: this.#id,
      object: "chat.completion",
      created: this.#created || Math.floor(Date.now() / 1000),
      model: this.#model || fallbackModel,
      choices,
    };
    if (this.#usage) completion.usage = this.#usage;
    return completion;
  }
}

/**
 * Claude models may answer a single-choice request with text and each tool call in separate choices (spec §8).
 * Merge them into one choice 0: texts joined, tool calls in order, `tool_calls` winning as finish reason.
 */
export function mergeSplitChoices(completion: ChatCompletion): ChatCompletion {
  if (completion.choices.length <= 1) return completion;
  let content = "";
  const toolCalls: ChatToolCall[] = [];
  let finish: string | null = null;
  for (const c of completion.choices) {
    if (typeof c.message.content === "string") content += c.message.content;
    toolCalls.push(...(c.message.tool_calls ?? []));
    if (c.finish_reason && finish !== "tool_calls") finish = c.finish_reason;
  }
  const message: ChatCompletionChoice["message"] = {
    role: "assistant",
    content: content === "" && toolCalls.length > 0 ? null : content,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return { ...completion, choices: [{ index: 0, message, finish_reason: finish }] };
}
