import type { FastifyRequest } from "fastify";
import { CopilotApiError } from "../../copilot/api-error.js";
import { GatewayError } from "../../errors.js";
import { redactSecrets } from "../../util/redact.js";

/** What an error becomes on the wire for one API family. */
export interface RenderedError {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type ErrorRenderer = (error: GatewayError, request: FastifyRequest) => RenderedError;

/** Headers from an upstream error worth relaying so clients back off correctly. */
const RELAYED_HEADERS = [
  "retry-after",
  "x-ratelimit-exceeded",
  "x-ratelimit-user-retry-after",
  "x-request-id",
];

export function relayedHeaders(error: GatewayError): Record<string, string> | undefined {
  if (!(error instanceof CopilotApiError)) return error.responseHeaders;
  const out: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = error.headers[name];
    if (value !== undefined) out[name] = value;
  }
  // A limit's reset time read from the limit headers becomes the Retry-After Copilot did not send.
  if (out["retry-after"] === undefined && error.upstreamStatus === 429 && error.retryAfterMs !== undefined)
    out["retry-after"] = String(Math.ceil(error.retryAfterMs / 1000));
  return out;
}

/** OpenAI's error `type` for a status, so SDKs raise the matching exception class. */
export function openaiErrorType(status: number): string {
  if (status === 400 || status === 404 || status === 413 || status === 415 || status === 422)
    return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "api_error" : "invalid_request_error";
}

/** The `{error:{message,type,param,code}}` envelope OpenAI clients parse. */
export function openaiErrorBody(error: { message: string; code: string; status: number }) {
  return {
    error: {
      message: redactSecrets(error.message),
      type: openaiErrorType(error.status),
      param: null,
      code: error.code,
    },
  };
}

export const renderOpenAIError: ErrorRenderer = (error) => {
  const headers = relayedHeaders(error);
  return { status: error.status, ...(headers && { headers }), body: openaiErrorBody(error) };
};

/** Anything thrown becomes a GatewayError: fastify's own errors keep their status, bugs become a plain 500. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? "request_too_large" : "invalid_request";
    return new GatewayError(code, String(e.message ?? "Bad request"), { status: e.statusCode });
  }
  return new GatewayError(
    "internal_error",
    `The gateway failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    { status: 500, cause: error },
  );
}

/**
 * Picks the renderer by URL prefix (longest wins), so each API family answers errors in its own shape. The
 * Anthropic routes register theirs for `/v1/messages`; everything else speaks OpenAI.
 */
export class ErrorRenderers {
  readonly #byPrefix: { prefix: string; render: ErrorRenderer }[] = [];
  readonly #fallback: ErrorRenderer;

  constructor(fallback: ErrorRenderer = renderOpenAIError) {
    this.#fallback = fallback;
  }

  register(prefix: string, render: ErrorRenderer): void {
    this.#byPrefix.push({ prefix, render });
    this.#byPrefix.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  for(url: string): ErrorRenderer {
    for (const entry of this.#byPrefix) if (url.startsWith(entry.prefix)) return entry.render;
    return this.#fallback;
  }
}
