import { type Dispatcher, errors as undiciErrors } from "undici";
import { AbortedError, ConnectionError, TimeoutError, UsageError } from "../errors.js";

export type HttpMethod = "GET" | "POST" | "DELETE" | "PUT" | "PATCH";

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer | undefined;
  signal?: AbortSignal | undefined;
  dispatcher: Dispatcher;
  /** Time allowed to connect and receive the response headers. */
  headersTimeoutMs?: number;
  /** Time allowed between two chunks of the body. */
  bodyTimeoutMs?: number;
}

export type HttpResponse = Dispatcher.ResponseData;

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** True for failures where no byte of the answer arrived, so a retry cannot duplicate work the user sees. */
export function isRetryableNetworkError(error: unknown): boolean {
  return error instanceof ConnectionError;
}

/** Map undici/Node failures to our typed errors, naming the host and pointing at proxy settings. */
export function toNetworkError(error: unknown, url: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return new AbortedError();
  const host = new URL(url).host;
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new TimeoutError(`${host} did not answer in time; check your network or proxy settings.`, error);
  }
  if (error instanceof undiciErrors.RequestAbortedError || err.code === "ABORT_ERR")
    return new AbortedError();
  const code = err.code ?? err.cause?.code ?? "";
  const detail = err.cause?.message ?? err.message ?? String(error);
  // A request undici refuses to build (a header with a line break, say) is our input's fault, not the network's.
  if (error instanceof undiciErrors.InvalidArgumentError) {
    return new UsageError(
      `A request to ${host} could not be sent (${detail}); check the COPILOT_GATEWAY_* identity variables and the token for stray spaces or line breaks.`,
      "invalid_request_input",
    );
  }
  if (
    NETWORK_CODES.has(code) ||
    /certificate|self.signed|TLS|SSL/i.test(detail) ||
    error instanceof undiciErrors.UndiciError
  ) {
    const tlsHint = /certificate|self.signed|TLS|SSL/i.test(detail)
      ? " If a corporate proxy inspects TLS, pass its CA with --ca-file or NODE_EXTRA_CA_CERTS."
      : " Check your connection and the HTTPS_PROXY / NO_PROXY settings.";
    return new ConnectionError(host, `Cannot reach ${host} (${code || detail}).${tlsHint}`, error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Hosts (with an optional port) that can be used as an origin as written: no case, userinfo or odd characters. */
const PLAIN_ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d+)?$/;

/**
 * Split an absolute URL into origin and path by slicing the string, so the hot path builds no URL object per
 * request; anything unusual (userinfo, upper case, IPv6, fragments) is left to the WHATWG parser.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const authority = url.indexOf("://");
  const slash = authority < 0 ? -1 : url.indexOf("/", authority + 3);
  const origin = slash < 0 ? url : url.slice(0, slash);
  if (slash >= 0 && PLAIN_ORIGIN.test(origin) && !url.includes("#"))
    return { origin, path: url.slice(slash) };
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** The one way copilot-gateway sends HTTP: undici over the shared pooled dispatcher, errors typed. */
export async function sendHttp(req: HttpRequest): Promise<HttpResponse> {
  try {
    const { origin, path } = splitUrl(req.url);
    return await req.dispatcher.request({
      origin,
      path,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      headersTimeout: req.headersTimeoutMs ?? 60_000,
      bodyTimeout: req.bodyTimeoutMs ?? 120_000,
    });
  } catch (error) {
    throw toNetworkError(error, req.url, req.signal);
  }
}

/** Read a body fully as text (bodies of errors and small JSON answers). */
export async function readText(response: HttpResponse): Promise<string> {
  return await response.body.text();
}

/** The first value of a header that undici may hand back as an array. */
export function headerValue(headers: HttpResponse["headers"], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
