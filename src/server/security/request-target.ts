import type { IncomingMessage } from "node:http";
import { GatewayError } from "../../errors.js";

function badTarget(message: string, code: string): GatewayError {
  return new GatewayError(code, message, { status: 400 });
}

/**
 * Refuse requests whose target is ambiguous, so the Host check cannot be slipped past: two `Host` headers (Node
 * keeps the first, a proxy in front may have looked at the other), or an absolute-form target
 * (`GET http://evil.com/v1/models`) naming another host than `Host`, which HTTP says takes precedence.
 */
export function requestTargetProblem(raw: IncomingMessage): GatewayError | undefined {
  let hosts = 0;
  for (let i = 0; i < raw.rawHeaders.length; i += 2) if (raw.rawHeaders[i]?.toLowerCase() === "host") hosts++;
  if (hosts > 1)
    return badTarget(
      "Refused a request with more than one Host header; send exactly one.",
      "duplicate_host_header",
    );
  const target = raw.url ?? "/";
  if (target.startsWith("/") || target === "*") return undefined;
  let authority: string | undefined;
  try {
    authority = new URL(target).host;
  } catch {
    authority = undefined;
  }
  if (authority === undefined || authority !== (raw.headers.host ?? "").toLowerCase())
    return badTarget(
      `Refused an absolute request target for another host (${authority ?? target.slice(0, 100)}); send the path alone (e.g. /v1/models) with this gateway's Host.`,
      "host_not_allowed",
    );
  return undefined;
}
