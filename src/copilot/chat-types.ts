/**
 * The OpenAI chat-completions shapes copilot-gateway reads and writes. Only the fields it looks at are typed; the
 * index signatures keep everything else (vendor extras like `copilot_annotations`) flowing through untouched.
 */
export type ChatRole = "system" | "developer" | "user" | "assistant" | "tool";

export interface ChatTextPart {
  type: "text";
  text: string;
}

export interface ChatImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}

/** One part of a message's content: text, an image, or another part passed through as is. */
export type ChatContentPart = ChatTextPart | ChatImagePart | { type: string; [key: string]: unknown };

/** A call of a tool by the model, with its JSON arguments as text. */
export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** One message of a chat request or answer. */
export interface ChatMessage {
  role: ChatRole;
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A function the model may call. */
export interface ChatTool {
  type: "function";
  function: { name: string; description?: string; parameters?: unknown; strict?: boolean };
}

/** Whether and which tool the model must call. */
export type ChatToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

/** A chat request body without its model (the client may pick the catalogue's default). */
export interface ChatRequestBody {
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  n?: number;
  stop?: string | string[];
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } };
  reasoning_effort?: string;
  user?: string;
  [key: string]: unknown;
}

export interface ChatCompletionRequest extends ChatRequestBody {
  model: string;
}

/** Token counts of an answer. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [key: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface ChatCompletionChoice {
  index: number;
  message: {
    role: "assistant";
    content: string | null;
    tool_calls?: ChatToolCall[];
    reasoning_text?: string;
    [key: string]: unknown;
  };
  finish_reason: FinishReason | string | null;
  [key: string]: unknown;
}

/** A non-streamed chat completion (OpenAI's `chat.completion`). */
export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: ChatUsage;
  [key: string]: unknown;
}

export interface ChatToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChatDelta {
  role?: "assistant";
  content?: string | null;
  tool_calls?: ChatToolCallDelta[];
  reasoning_text?: string;
  [key: string]: unknown;
}

/** One chunk of a streamed chat completion (OpenAI's `chat.completion.chunk`). */
export interface ChatCompletionChunk {
  id: string;
  object?: "chat.completion.chunk" | string;
  created: number;
  model: string;
  choices: {
    index: number;
    delta: ChatDelta;
    finish_reason: FinishReason | string | null;
    [key: string]: unknown;
  }[];
  usage?: ChatUsage | null;
  [key: string]: unknown;
}

/** The text of a chat message's content, whatever its form. */
export function contentText(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (p.type === "text" && typeof p.text === "string" ? p.text : "")).join("");
}
