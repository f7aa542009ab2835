import { z } from "zod";

/** The part of a Responses request the gateway reads; the rest goes to Copilot untouched. */
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, "model must name a model; GET /v1/models lists them"),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  stream: z.boolean().nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** Token counts of a non-streamed Responses answer, for the log line. */
export function responsesUsage(raw: Buffer): {
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
} {
  try {
    const usage = (
      JSON.parse(raw.toString("utf8")) as {
        usage?: {
          input_tokens?: number;
          output_tokens?: number;
          input_tokens_details?: { cached_tokens?: number };
        };
      }
    ).usage;
    return {
      inputTokens: usage?.input_tokens,
      outputTokens: usage?.output_tokens,
      cachedTokens: usage?.input_tokens_details?.cached_tokens,
    };
  } catch {
    return {};
  }
}
