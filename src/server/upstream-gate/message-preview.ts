import { redactSecrets } from "../../util/redact.js";

/** Characters shown of the last user message. */
export const PREVIEW_CHARS = 100;

/**
 * Control characters (terminal escapes), and bidirectional overrides that could make a preview read differently
 * from what it is: a client must not be able to redraw the terminal that approves its requests.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** One line, safe to print on a terminal, at most `max` characters (an ellipsis marks a cut). */
export function terminalSafe(text: string, max = PREVIEW_CHARS): string {
  // Cut long prompts before working on them: only the first line's worth is ever shown.
  const line = redactSecrets(text.slice(0, max * 4))
    .replace(UNSAFE, " ")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

type Part = { type?: unknown; text?: unknown };

/** The text of a message's content: a string, or the text parts of an array (images and tool results named). */
function contentText(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  const others = new Set<string>();
  for (const part of content as Part[]) {
    if (typeof part === "string") texts.push(part);
    else if (typeof part?.text === "string") texts.push(part.text);
    else if (typeof part?.type === "string") others.add(part.type.replace(/_/g, " "));
  }
  if (texts.length > 0) return texts.join(" ");
  return others.size > 0 ? `(${[...others].join(", ")})` : undefined;
}

/**
 * A short preview of the last user message of a model request, whatever the API: chat `messages`, Anthropic
 * `messages`, Responses `input` (a string or items), embeddings `input` (its first string).
 */
export function lastUserMessagePreview(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { messages, input } = body as { messages?: unknown; input?: unknown };
  const items = Array.isArray(messages) ? messages : Array.isArray(input) ? input : undefined;
  let text: string | undefined;
  if (typeof input === "string" && !Array.isArray(messages)) text = input;
  else if (items) {
    const lastUser = items.findLast(
      (item): item is { content?: unknown } =>
        typeof item === "object" && item !== null && (item as { role?: unknown }).role === "user",
    );
    if (lastUser) text = contentText(lastUser.content);
    else if (typeof items[0] === "string") text = items[0]; // embeddings: a list of strings
  }
  return text === undefined ? undefined : terminalSafe(text);
}
