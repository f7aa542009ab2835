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

/** `user` only for a fresh user turn; tool results and follow-ups are `agent` (spec §4, billing). */
export function chatInitiator(messages: readonly { role: string }[]): "user" | "agent" {
  return messages[messages.length - 1]?.role === "user" ? "user" : "agent";
}

/** Copilot needs `Copilot-Vision-Request` whenever an image is in the conversation. */
export function chatHasImage(messages: readonly Record<string, unknown>[]): boolean {
  for (const message of messages) {
    const content = message.content;
    if (!Array.isArray(content)) continue;
    for (const part of content)
      if (part && typeof part === "object" && (part as { type?: unknown }).type === "image_url") return true;
  }
  return false;
}
