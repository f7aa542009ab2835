import { type HttpRequest, type HttpResponse, headerValue, readText, sendHttp } from "../../http/request.js";

/** How a device-flow step sends HTTP; injectable so a test or an embedding app can supply its own transport. */
export type SendHttp = (request: HttpRequest) => Promise<HttpResponse>;
export const defaultSendHttp: SendHttp = sendHttp;

/**
 * Read GitHub's OAuth answer as a flat record. GitHub answers JSON when asked with `Accept: application/json` but
 * `application/x-www-form-urlencoded` otherwise (and some proxies strip the header), so both are accepted; numbers
 * arrive as strings in the form variant and are coerced by the callers' schemas.
 */
export async function readOAuthAnswer(response: HttpResponse): Promise<Record<string, unknown> | undefined> {
  const text = (await readText(response)).trim();
  const type = headerValue(response.headers, "content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded")) {
    try {
      const json: unknown = JSON.parse(text);
      if (json && typeof json === "object" && !Array.isArray(json)) return json as Record<string, unknown>;
    } catch {
      // Not JSON: fall through to the form parser below.
    }
  }
  if (!text.includes("=")) return undefined;
  return Object.fromEntries(new URLSearchParams(text));
}

/** A form-encoded POST asking for JSON, as GitHub's OAuth endpoints expect (spec §2). */
export function oauthPost(url: string, fields: Record<string, string>, signal: AbortSignal | undefined) {
  return {
    method: "POST" as const,
    url,
    headers: {
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields).toString(),
    signal,
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
  };
}
