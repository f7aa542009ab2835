import type { IncomingMessage, ServerResponse } from "node:http";

/** A request as the fake saw it, for assertions on headers and bodies. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  rawBody: string;
  /** JSON body, form body as an object, or undefined. */
  body: unknown;
  /** performance.now() when the request's head arrived (before its body was read), for pacing assertions. */
  receivedAt: number;
}

export function parseBody(contentType: string | undefined, raw: string, query: URLSearchParams): unknown {
  if (raw === "") return query.size > 0 ? Object.fromEntries(query) : undefined;
  if (contentType?.includes("application/x-www-form-urlencoded"))
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}

/** A failure the fake should answer instead of the normal result. */
export interface InjectedFailure {
  status: number;
  /** Raw body; objects are sent as JSON. */
  body: unknown;
  headers?: Record<string, string>;
  /** Send as text/plain even when the body is JSON (Copilot's 400s do this). */
  plainText?: boolean;
  /** Destroy the socket without answering (a connection reset). */
  reset?: boolean;
}

/**
 * Written anywhere in an injected error body (or an error message of the state), replaced by the request's
 * Authorization header: a server that echoes credentials in its errors, as some proxies and gateways do.
 */
export const ECHO_AUTHORIZATION = "{{authorization}}";

/** `text` with ECHO_AUTHORIZATION replaced by the request's Authorization header (JSON-escaped when `json`). */
export function echoAuthorization(text: string, req: RecordedRequest | undefined, json = false): string {
  if (!req || !text.includes(ECHO_AUTHORIZATION)) return text;
  const auth = String(req.headers.authorization ?? "");
  return text.replaceAll(ECHO_AUTHORIZATION, json ? JSON.stringify(auth).slice(1, -1) : auth);
}

export function sendFailure(res: ServerResponse, failure: InjectedFailure, req?: RecordedRequest): void {
  if (failure.reset) {
    res.socket?.destroy();
    return;
  }
  const text =
    typeof failure.body === "string"
      ? echoAuthorization(failure.body, req)
      : echoAuthorization(JSON.stringify(failure.body), req, true);
  res.writeHead(failure.status, {
    "content-type":
      failure.plainText || typeof failure.body === "string"
        ? "text/plain; charset=utf-8"
        : "application/json",
    ...failure.headers,
  });
  res.end(text);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
