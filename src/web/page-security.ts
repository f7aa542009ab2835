import { createHash, timingSafeEqual } from "node:crypto";
import { GatewayError } from "../errors.js";

/** The header every state-changing page request must carry. A cross-origin page cannot add it without a CORS
 * preflight, which the gateway never grants for page APIs. */
export const PAGE_HEADER = "x-copilot-gateway-page";

/** A page API request the gateway refuses (401 for the API key, 403 for cross-origin). */
export class PageAccessError extends GatewayError {
  constructor(code: string, message: string, status: 401 | 403) {
    super(code, message, { status });
  }
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Constant-time comparison that does not leak the key's length either. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The key a request presents: `Authorization: Bearer KEY` (what the page sends) or `x-api-key: KEY`. */
export function presentedApiKey(headers: Headers): string | undefined {
  const auth = header(headers, "authorization");
  const bearer = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1] : undefined;
  return bearer ?? header(headers, "x-api-key")?.trim() ?? undefined;
}

/**
 * When the gateway has API keys, every page API requires one of them. Throws PageAccessError (401) otherwise.
 * With no keys configured the page is open (the gateway only listens on loopback by default).
 */
export function checkPageApiKey(headers: Headers, apiKeys: readonly string[]): void {
  if (apiKeys.length === 0) return;
  const presented = presentedApiKey(headers);
  if (!presented) {
    throw new PageAccessError(
      "api_key_required",
      "This gateway requires an API key: enter it on the page (or send Authorization: Bearer KEY).",
      401,
    );
  }
  let ok = false;
  // Compare with every key (no early exit) so timing does not tell which one matched.
  for (const key of apiKeys) ok = sameSecret(presented, key) || ok;
  if (!ok) throw new PageAccessError("invalid_api_key", "The API key is not valid for this gateway.", 401);
}

/**
 * Refuse requests made by another web origin. A browser names the page that made a request in `Origin`
 * (always on POST) and `Sec-Fetch-Site`; both must say "this gateway". Non-browser clients send neither and
 * pass (they are already local, and the API key still applies). State-changing requests must also carry
 * PAGE_HEADER, which a cross-origin page cannot send without a preflight.
 */
export function checkPageOrigin(headers: Headers, options: { stateChanging: boolean }): void {
  const host = header(headers, "host");
  const origin = header(headers, "origin");
  if (origin !== undefined) {
    let sameOrigin = false;
    try {
      const url = new URL(origin);
      sameOrigin = (url.protocol === "http:" || url.protocol === "https:") && url.host === host;
    } catch {
      sameOrigin = false; // "null" (sandboxed frames, file://) and garbage
    }
    if (!sameOrigin) {
      throw new PageAccessError(
        "cross_origin_refused",
        `Refused a page API request from another origin (${origin}); open the page from this gateway instead.`,
        403,
      );
    }
  }
  const site = header(headers, "sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    throw new PageAccessError(
      "cross_origin_refused",
      `Refused a ${site} page API request; open the page from this gateway instead.`,
      403,
    );
  }
  if (options.stateChanging && header(headers, PAGE_HEADER) !== "1") {
    throw new PageAccessError(
      "page_header_missing",
      `This page API changes state and needs the header ${PAGE_HEADER}: 1 (the gateway's page sends it).`,
      403,
    );
  }
}
