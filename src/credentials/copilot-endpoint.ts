import { isIP } from "node:net";
import type { Endpoints } from "../config/hosts.js";
import { EXIT_CODES, GatewayError } from "../errors.js";

/** An `endpoints.api` (or other upstream-supplied Copilot base) that could send prompts somewhere unsafe (spec §11). */
export class UntrustedCopilotEndpointError extends GatewayError {
  readonly url: string;
  constructor(url: string, from: string, reason: string) {
    super(
      "untrusted_copilot_endpoint",
      `Refused the Copilot API base ${JSON.stringify(url)} from ${from}: ${reason}. Nothing was sent there; if this is a private proxy you trust, set COPILOT_GATEWAY_COPILOT_API_URL to it.`,
      { exitCode: EXIT_CODES.upstream, status: 502 },
    );
    this.url = url;
  }
}

/** `host` equal to `domain` or a subdomain of it. */
function isUnder(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Check a Copilot API base that GitHub handed us (the exchange's or `copilot_internal/user`'s `endpoints.api`, a
 * Copilot token's `proxy-ep`) before any prompt or token goes there: https, no user info, no IP literal, port 443,
 * and a host under githubcopilot.com, or, for a `SUB.ghe.com` tenant, under its own domain (never the public
 * host, which would take its prompts out of its region). GHES-style hosts may also use their own domain.
 *
 * Explicit operator choices are exempt: the COPILOT_GATEWAY_COPILOT_API_URL override never reaches here, and a base
 * on the very origin the operator set as the GitHub API URL (COPILOT_GATEWAY_GITHUB_API_URL: a private proxy, a
 * mirror, the tests' fake) is accepted as that choice. Returns the base without a trailing slash.
 */
export function validateCopilotApiUrl(raw: string, endpoints: Endpoints, from: string): string {
  const value = raw.trim().replace(/\/+$/, "");
  if (endpoints.apiUrlOverridden && originOf(value) === originOf(endpoints.apiUrl)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UntrustedCopilotEndpointError(raw, from, "it is not a URL");
  }
  if (url.protocol !== "https:") throw new UntrustedCopilotEndpointError(raw, from, "it is not https");
  if (url.username || url.password)
    throw new UntrustedCopilotEndpointError(raw, from, "it carries user info");
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (isIP(host.replace(/^\[|\]$/g, "")) !== 0)
    throw new UntrustedCopilotEndpointError(raw, from, "its host is an IP address");
  if (url.port !== "" && url.port !== "443")
    throw new UntrustedCopilotEndpointError(raw, from, `it uses port ${url.port}, not 443`);
  const tenant = endpoints.host.toLowerCase().replace(/:\d+$/, "");
  if (tenant.endsWith(".ghe.com")) {
    if (!isUnder(host, tenant))
      throw new UntrustedCopilotEndpointError(
        raw,
        from,
        `a ${tenant} account's prompts must stay under ${tenant}`,
      );
  } else if (!isUnder(host, "githubcopilot.com") && (tenant === "github.com" || !isUnder(host, tenant))) {
    throw new UntrustedCopilotEndpointError(raw, from, "its host is not under githubcopilot.com");
  }
  return value;
}
