import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from "../../copilot/chat-types.js";
import { chatToResponsesRequest } from "./chat-to-responses.js";
import { createResponsesToChatStream, RESPONSES_TERMINAL_EVENTS } from "./responses-stream-to-chat.js";
import { responsesToChatCompletion } from "./responses-to-chat.js";
import type { ResponsesRequest, ResponsesResult } from "./responses-types.js";

/** Everything needed to serve one chat request through `/responses`: the request to send and the way back. */
export interface ChatResponsesTranslation {
  request: ResponsesRequest;
  warnings: string[];
  terminalEvents: readonly string[];
  /** Responses stream events (parsed, with `type`) → chat chunks. */
  streamChunks(events: AsyncIterable<Record<string, unknown>>): AsyncGenerator<ChatCompletionChunk>;
  /** A non-streamed Responses result → a chat completion. */
  completion(result: Record<string, unknown>): ChatCompletion;
}

/** Chat request → Responses request, plus the translators of its answer (used by the client and the gateway). */
export function translateChatForResponses(chat: ChatCompletionRequest): ChatResponsesTranslation {
  const { value: request, warnings } = chatToResponsesRequest(chat);
  return {
    request,
    warnings,
    terminalEvents: RESPONSES_TERMINAL_EVENTS,
    async *streamChunks(events) {
      const translator = createResponsesToChatStream(chat.model);
      for await (const event of events) yield* translator.push(event);
    },
    completion: (result) => responsesToChatCompletion(result as unknown as ResponsesResult, chat.model),
  };
}
