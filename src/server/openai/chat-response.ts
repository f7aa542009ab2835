import { hasNonZeroIndex, probeUsage } from "./usage-probe.js";

/** A non-streamed chat completion as Copilot returns it (only the fields the gateway touches). */
interface Completion {
  choices?: {
    index?: number;
    finish_reason?: string | null;
    message?: { role?: string; content?: string | null; tool_calls?: unknown[]; [key: string]: unknown };
    [key: string]: unknown;
  }[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
  } | null;
  [key: string]: unknown;
}

export interface NormalizedCompletion {
  /** The body to send: the original bytes when nothing changed. */
  body: Buffer | string;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cachedTokens?: number | undefined;
}

const tokenCount = (value: unknown) => (typeof value === "number" ? value : undefined);

/**
 * Claude on Copilot may answer text and each tool call as separate choices; a client that asked for one choice
 * reads only `choices[0]` and would lose the tool calls. Fold them into one choice, otherwise forward the bytes.
 */
export function normalizeCompletion(raw: Buffer, multipleChoices: boolean): NormalizedCompletion {
  // The common case (one choice, or several asked for): forward the bytes, reading only the usage object.
  if (multipleChoices || !hasNonZeroIndex(raw)) {
    const usage = probeUsage(raw);
    const details = usage?.prompt_tokens_details as { cached_tokens?: unknown } | null | undefined;
    return {
      body: raw,
      inputTokens: tokenCount(usage?.prompt_tokens),
      outputTokens: tokenCount(usage?.completion_tokens),
      cachedTokens: tokenCount(details?.cached_tokens),
    };
  }
  let json: Completion;
  try {
    json = JSON.parse(raw.toString("utf8")) as Completion;
  } catch {
    return { body: raw, inputTokens: undefined, outputTokens: undefined };
  }
  const inputTokens = json.usage?.prompt_tokens;
  const outputTokens = json.usage?.completion_tokens;
  const cachedTokens = json.usage?.prompt_tokens_details?.cached_tokens;
  const choices = json.choices;
  if (multipleChoices || !Array.isArray(choices) || choices.length < 2)
    return { body: raw, inputTokens, outputTokens, cachedTokens };
  const [first, ...rest] = choices;
  if (!first) return { body: raw, inputTokens, outputTokens, cachedTokens };
  const message = { role: "assistant", ...first.message };
  let content = typeof message.content === "string" ? message.content : "";
  const toolCalls: unknown[] = Array.isArray(message.tool_calls) ? [...message.tool_calls] : [];
  let finish = first.finish_reason ?? null;
  for (const choice of rest) {
    const m = choice.message;
    if (typeof m?.content === "string") content += m.content;
    if (Array.isArray(m?.tool_calls)) toolCalls.push(...m.tool_calls);
    if (choice.finish_reason === "tool_calls" || !finish) finish = choice.finish_reason ?? finish;
  }
  message.content = content === "" && toolCalls.length > 0 ? null : content;
  if (toolCalls.length > 0) {
    message.tool_calls = toolCalls;
    finish = "tool_calls";
  }
  json.choices = [{ ...first, index: 0, message, finish_reason: finish }];
  return { body: JSON.stringify(json), inputTokens, outputTokens, cachedTokens };
}
