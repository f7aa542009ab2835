import { isGatewayError } from "../../errors.js";
import { redactSecrets } from "../../util/redact.js";
import type { AnthropicErrorBody, AnthropicErrorType } from "./message-types.js";

/** The Anthropic error type for an HTTP status, as Anthropic's own API pairs them. */
export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 400:
    case 422:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 || status < 400 ? "api_error" : "invalid_request_error";
  }
}

/** `{type: "error", error: {type, message}}`: the body Anthropic clients parse on every failure. */
export function anthropicErrorBody(status: number, message: string): AnthropicErrorBody {
  return { type: "error", error: { type: anthropicErrorType(status), message: redactSecrets(message) } };
}

/** Anything thrown on an Anthropic route → the status and body to answer with (never a stack trace). */
export function anthropicErrorFromThrown(error: unknown): { status: number; body: AnthropicErrorBody } {
  if (isGatewayError(error)) {
    const status = error.status >= 400 && error.status <= 599 ? error.status : 500;
    return { status, body: anthropicErrorBody(status, error.message) };
  }
  const message = error instanceof Error ? `Unexpected error: ${error.message}` : "Unexpected error.";
  return { status: 500, body: anthropicErrorBody(500, message) };
}
