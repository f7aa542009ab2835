import { GatewayError } from "../../errors.js";

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** True when `origin` is this gateway itself, as the browser reached it (`Host` has already been vetted). */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
}

function crossSiteRefused(from: string): GatewayError {
  return new GatewayError(
    "cross_site_refused",
    `Refused a browser request from ${from}: web pages may not use this gateway (a page you visit could spend your Copilot quota). To let a web app call it, start the gateway with --cors <its origin>.`,
    { status: 403 },
  );
}

/**
 * The cross-site rule for the API routes. A browser names the page behind a request in `Origin` (on every
 * cross-origin POST, "simple" no-cors ones and form posts included) and in `Sec-Fetch-Site`; neither can be forged
 * by a page. Allowed: requests that carry neither (SDKs, CLIs, curl), the gateway's own origin, and the origins
 * given to `--cors` (`*` allows every origin). Anything else from a browser is refused before its body is read, so
 * a page the user visits cannot make the gateway call Copilot at all, even without reading the answer.
 */
export function crossSiteRefusal(headers: Headers, corsOrigins: readonly string[]): GatewayError | undefined {
  if (corsOrigins.includes("*")) return undefined;
  const origin = header(headers, "origin");
  const site = header(headers, "sec-fetch-site");
  if (origin !== undefined) {
    if (corsOrigins.includes(origin) || isOwnOrigin(origin, header(headers, "host"))) return undefined;
    return crossSiteRefused(`the origin ${origin}`);
  }
  // No Origin but a cross-site fetch context: a no-cors GET, an image, a link followed from another site.
  if (site === undefined || site === "same-origin" || site === "none") return undefined;
  return crossSiteRefused(`a ${site} page`);
}
