/**
 * Billing and vision hints for a Copilot request (spec §4), as pure functions over the request body so that the
 * client, the OpenAI routes and the Anthropic route all decide them the same way.
 *
 * `X-Initiator: user` bills a premium request; `agent` does not. Only a fresh user turn is `user`: a request whose
 * last message is a tool result, an assistant prefill or anything else is the agent continuing on its own.
 */
export type Initiator = "user" | "agent";

type Message = { role?: unknown; content?: unknown; type?: unknown };

function last(items: unknown): Message | undefined {
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const item = items[items.length - 1];
  return item && typeof item === "object" ? (item as Message) : undefined;
}

/** OpenAI chat messages: `user` when the last message has role `user` (tool results have role `tool`). */
export function chatInitiator(messages: unknown): Initiator {
  return last(messages)?.role === "user" ? "user" : "agent";
}

/** Responses `input`: a bare string is a user turn; otherwise the last item must be a user message. */
export function responsesInitiator(input: unknown): Initiator {
  if (typeof input === "string") return "user";
  const item = last(input);
  if (!item) return "user";
  const isMessage = item.type === undefined || item.type === "message";
  return isMessage && item.role === "user" ? "user" : "agent";
}

/** Anthropic messages: a user turn that carries a `tool_result` block is the agent loop, not the person. */
export function anthropicInitiator(messages: unknown): Initiator {
  const item = last(messages);
  if (item?.role !== "user") return "agent";
  if (Array.isArray(item.content) && item.content.some((b) => (b as Message | null)?.type === "tool_result"))
    return "agent";
  return "user";
}

const IMAGE_PART_TYPES = new Set(["image_url", "input_image", "image"]);

function partsHaveImage(content: unknown, depth: number): boolean {
  if (!Array.isArray(content)) return false;
  for (const part of content) {
    if (!part || typeof part !== "object") continue;
    const p = part as Message;
    if (typeof p.type === "string" && IMAGE_PART_TYPES.has(p.type)) return true;
    // Anthropic tool_result blocks and Responses messages nest their own content arrays.
    if (depth > 0 && partsHaveImage(p.content, depth - 1)) return true;
  }
  return false;
}

/**
 * Whether any message (chat `messages`, Responses `input` or Anthropic `messages`) carries an image, which
 * requires `Copilot-Vision-Request: true`. Looks only at content parts, never at text, so it stays cheap.
 */
export function hasImageInput(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  for (const m of messages) {
    if (!m || typeof m !== "object") continue;
    const msg = m as Message;
    if (typeof msg.type === "string" && IMAGE_PART_TYPES.has(msg.type)) return true;
    if (partsHaveImage(msg.content, 2)) return true;
  }
  return false;
}
