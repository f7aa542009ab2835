import { createParser, type EventSourceMessage } from "eventsource-parser";
import { streamReadFailure } from "./stream-errors.js";

/** One server-sent event: its `event:` name (if any) and its joined `data:` lines. */
export interface SseEvent {
  event: string | undefined;
  data: string;
  /** The body ended before this event's closing blank line (it may be cut short). */
  unterminated?: boolean;
}

/**
 * Layer 1: bytes → SSE events. Decodes UTF-8 across chunk boundaries and lets `eventsource-parser` handle CRLF,
 * multi-line data, `:` comments and split lines. Read failures (idle timeout, abort, dropped socket) surface as
 * typed errors.
 */
export async function* readSseEvents(
  body: AsyncIterable<Uint8Array | string>,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => queue.push({ event: message.event, data: message.data }),
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      parser.feed(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
      while (queue.length > 0) yield queue.shift() as SseEvent;
    }
  } catch (error) {
    throw streamReadFailure(error, signal);
  }
  const rest = decoder.decode();
  if (rest) parser.feed(rest);
  // A final event without its blank line still counts (some servers end that way), flagged as possibly cut short.
  parser.feed("\n\n");
  while (queue.length > 0) yield { ...(queue.shift() as SseEvent), unterminated: true };
}
