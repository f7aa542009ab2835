/** The subset of the OpenAI Responses API that the chat ↔ Responses translation reads and writes. */
export type ResponsesInputContent =
  | { type: "input_text"; text: string }
  | { type: "output_text"; text: string }
  | { type: "input_image"; image_url: string; detail?: string };

export type ResponsesInputItem =
  | { type: "message"; role: "user" | "assistant" | "system" | "developer"; content: ResponsesInputContent[] }
  | { type: "function_call"; call_id: string; name: string; arguments: string }
  | { type: "function_call_output"; call_id: string; output: string };

export interface ResponsesTool {
  type: "function";
  name: string;
  description?: string;
  parameters?: unknown;
  strict?: boolean;
}

export interface ResponsesRequest {
  model: string;
  input: ResponsesInputItem[];
  instructions?: string;
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  max_output_tokens?: number;
  tools?: ResponsesTool[];
  tool_choice?: "auto" | "none" | "required" | { type: "function"; name: string };
  parallel_tool_calls?: boolean;
  reasoning?: { effort: string };
  text?: { format: Record<string, unknown> };
  user?: string;
  store?: boolean;
  [key: string]: unknown;
}

export interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_tokens_details?: { cached_tokens?: number };
  output_tokens_details?: { reasoning_tokens?: number };
}

export interface ResponsesOutputItem {
  type: string;
  id?: string;
  role?: string;
  content?: { type: string; text?: string; refusal?: string }[];
  call_id?: string;
  name?: string;
  arguments?: string;
  summary?: { type: string; text?: string }[];
  [key: string]: unknown;
}

export interface ResponsesResult {
  id: string;
  object?: string;
  created_at?: number;
  model?: string;
  status?: string;
  incomplete_details?: { reason?: string } | null;
  output?: ResponsesOutputItem[];
  usage?: ResponsesUsage | null;
  error?: { code?: string; message?: string } | null;
  [key: string]: unknown;
}
