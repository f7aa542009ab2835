/** The Anthropic Messages answer and stream events this translation produces. */

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface TextContent {
  type: "text";
  text: string;
}

export interface ToolUseContent {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
}

export interface ThinkingContent {
  type: "thinking";
  thinking: string;
  signature: string;
}

export type AnthropicContent = TextContent | ToolUseContent | ThinkingContent;

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContent[];
  stop_reason: StopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type ContentDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string };

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
}

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "timeout_error"
  | "api_error"
  | "overloaded_error";

export type MessageStreamEvent =
  | {
      type: "message_start";
      message: Omit<AnthropicMessage, "stop_reason"> & { stop_reason: null; content: [] };
    }
  | { type: "ping" }
  | { type: "content_block_start"; index: number; content_block: AnthropicContent }
  | { type: "content_block_delta"; index: number; delta: ContentDelta }
  | { type: "content_block_stop"; index: number }
  | {
      type: "message_delta";
      delta: { stop_reason: StopReason; stop_sequence: string | null };
      usage: AnthropicUsage;
    }
  | { type: "message_stop" }
  | AnthropicErrorBody;

/** A note about something the translation could not carry over; the server logs these. */
export interface TranslationWarning {
  code: string;
  message: string;
}

export interface Translated<T> {
  result: T;
  warnings: TranslationWarning[];
}
