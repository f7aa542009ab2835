import { z } from "zod";

/** The part of a Responses request the gateway reads; the rest goes to Copilot untouched. */
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, "model must name a model; GET /v1/models lists them"),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  stream: z.boolean().nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** `user` when the last input item is a user message (or the input is plain text); tool outputs are `agent`. */
export function responsesInitiator(input: ResponsesRequest["input"]): "user" | "agent" {
  if (input === undefined || typeof input === "string") return "user";
  const last = input[input.length - 1] as { role?: unknown; type?: unknown } | undefined;
  if (!last) return "user";
  return last.role === "user" ? "user" : "agent";
}

export function responsesHasImage(input: ResponsesRequest["input"]): boolean {
  if (!Array.isArray(input)) return false;
  for (const item of input) {
    const content = (item as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) continue;
    for (const part of content)
      if (part && typeof part === "object" && (part as { type?: unknown }).type === "input_image")
        return true;
  }
  return false;
}

/** Token counts of a non-streamed Responses answer, for the log line. */
export function responsesUsage(raw: Buffer): { inputTokens?: number; outputTokens?: number } {
  try {
    const usage = (
      JSON.parse(raw.toString("utf8")) as { usage?: { input_tokens?: number; output_tokens?: number } }
    ).usage;
    return { inputTokens: usage?.input_tokens, outputTokens: usage?.output_tokens };
  } catch {
    return {};
  }
}
