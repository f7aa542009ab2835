import { z } from "zod";

/**
 * The part of an OpenAI chat request the gateway reads. Everything else is passed to Copilot unchanged, so new
 * OpenAI fields work without a gateway release.
 */
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1, "model must name a model; GET /v1/models lists them"),
  messages: z.array(z.looseObject({ role: z.string() })).min(1, "messages must hold at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.number().int().positive().nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
