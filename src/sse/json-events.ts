import type { SseEvent } from "./read-sse.js";
import { StreamInterruptedError, StreamProtocolError, UpstreamStreamError } from "./stream-errors.js";

/** A parsed SSE event: the `event:` name and the JSON of its data. */
export interface JsonEvent {
  event: string | undefined;
  data: Record<string, unknown>;
}

export interface JsonEventOptions {
  /** The stream must end with `data: [DONE]` (chat completions); otherwise its end is a dropped connection. */
  requireDone?: boolean;
  /** Event names that end the stream normally (Responses: `response.completed`; Messages: `message_stop`). */
  terminalEvents?: readonly string[];
}

/**
 * The error a stream event carries, if any: Copilot embeds `{error: {message, code}}` in a chat chunk when a stream
 * fails after it started; the Responses and Messages APIs send an `error` event with the fields at the top level
 * or under `error`. Empty placeholders (`{code:"", message:""}`) are not errors.
 */
export function streamEventError(
  event: string | undefined,
  data: Record<string, unknown>,
): { message: string; code: string | undefined } | undefined {
  const nested =
    data.error && typeof data.error === "object" ? (data.error as Record<string, unknown>) : undefined;
  const isErrorEvent = event === "error" || data.type === "error";
  const source = nested ?? (isErrorEvent ? data : undefined);
  if (!source) return undefined;
  const message = typeof source.message === "string" ? source.message : "";
  const code =
    typeof source.code === "string" && source.code
      ? source.code
      : typeof source.type === "string" && source.type !== "error"
        ? source.type
        : undefined;
  if (!message && !code && !isErrorEvent) return undefined;
  return { message: message || "unknown error", code };
}

/**
 * Layer 2: SSE events → JSON objects. Stops at `[DONE]`; turns an `error` event or an embedded error object into
 * an UpstreamStreamError; an end without the promised terminator is a StreamInterruptedError.
 */
export async function* readJsonEvents(
  events: AsyncIterable<SseEvent>,
  options: JsonEventOptions = {},
): AsyncGenerator<JsonEvent> {
  let finished = false;
  for await (const { event, data, unterminated } of events) {
    const trimmed = data.trim();
    if (trimmed === "[DONE]") {
      finished = true;
      break;
    }
    if (trimmed === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      if (unterminated) throw new StreamInterruptedError();
      throw new StreamProtocolError(
        `Copilot sent a malformed stream event (not JSON): ${trimmed.slice(0, 80)}`,
      );
    }
    if (!json || typeof json !== "object" || Array.isArray(json))
      throw new StreamProtocolError("Copilot sent a stream event that is not a JSON object.");
    const obj = json as Record<string, unknown>;
    const err = streamEventError(event, obj);
    if (err) throw new UpstreamStreamError(err.message, err.code);
    yield { event, data: obj };
    const type = event ?? (typeof obj.type === "string" ? obj.type : undefined);
    if (type && options.terminalEvents?.includes(type)) finished = true;
  }
  if (!finished && (options.requireDone || options.terminalEvents)) throw new StreamInterruptedError();
}
