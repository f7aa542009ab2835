import { type AnthropicContext, createMessage } from "../anthropic/messages-service.js";
import type { ApiRequest, JsonObject } from "../copilot/client.js";
import { readJsonEvents } from "../sse/json-events.js";
import { readSseEvents } from "../sse/read-sse.js";
import { StreamProtocolError } from "../sse/stream-errors.js";

/** An Anthropic event stream, read once; leaving the loop or `close()` ends the upstream request. */
class MessageEventStream implements AsyncIterable<JsonObject> {
  readonly #events: AsyncGenerator<JsonObject>;
  #used = false;

  constructor(events: AsyncGenerator<JsonObject>) {
    this.#events = events;
  }

  [Symbol.asyncIterator](): AsyncGenerator<JsonObject> {
    if (this.#used) throw new Error("This stream has already been read; a stream can be iterated only once.");
    this.#used = true;
    return this.#events;
  }

  async close(): Promise<void> {
    this.#used = true;
    await this.#events.return(undefined);
  }
}

async function* parsedEvents(
  body: AsyncIterable<string | Uint8Array>,
  signal: AbortSignal | undefined,
): AsyncGenerator<JsonObject> {
  // An `error` event (Copilot's, or the translation's for a failure mid-answer) is thrown as UpstreamStreamError.
  for await (const { event, data } of readJsonEvents(readSseEvents(body, signal), {
    terminalEvents: ["message_stop"],
  })) {
    if (event && data.type === undefined) data.type = event;
    yield data;
  }
}

async function wholeBody(body: AsyncIterable<string | Uint8Array>): Promise<JsonObject> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body)
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  text += decoder.decode();
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === "object" && !Array.isArray(json)) return json as JsonObject;
  } catch {
    // fall through
  }
  throw new StreamProtocolError("Copilot answered /v1/messages with an unexpected body (not a JSON object).");
}

/**
 * `messages.create`: the gateway's Messages service (native for Claude, translated otherwise), its answer as an
 * Anthropic message object, or its stream as parsed events.
 */
export async function createMessageEvents(
  ctx: AnthropicContext,
  body: ApiRequest,
  options: { signal?: AbortSignal | undefined; headers?: Record<string, string> | undefined },
): Promise<JsonObject | MessageEventStream> {
  const outcome = await createMessage(ctx, { body, headers: options.headers ?? {}, signal: options.signal });
  if (outcome.kind === "json") return outcome.body as unknown as JsonObject;
  if (!outcome.contentType.includes("text/event-stream")) return wholeBody(outcome.body);
  return new MessageEventStream(parsedEvents(outcome.body, options.signal));
}
