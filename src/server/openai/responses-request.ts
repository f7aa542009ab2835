import { z } from "zod";
import { probeUsage } from "./usage-probe.js";

/** The part of a Responses request the gateway reads; the rest goes to Copilot untouched. */
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, "model must name a model; GET /v1/models lists them"),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  stream: z.boolean().nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** Token counts of a non-streamed Responses answer, for the log line (read without parsing the whole answer). */
export function responsesUsage(raw: Buffer): {
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
} {
  const usage = probeUsage(raw);
  const count = (value: unknown) => (typeof value === "number" ? value : undefined);
  const details = usage?.input_tokens_details as { cached_tokens?: unknown } | undefined;
  return {
    inputTokens: count(usage?.input_tokens),
    outputTokens: count(usage?.output_tokens),
    cachedTokens: count(details?.cached_tokens),
  };
}
