import { redactSecrets } from "../util/redact.js";
import type { RequestLogEntry } from "./request-log.js";

export interface LogDetail {
  userAgent?: string | undefined;
  upstreamRequestId?: string | undefined;
  errorMessage?: string | undefined;
  remoteAddress?: string | undefined;
}

/** One line per request: time, method, path, model, status, duration, tokens; verbose adds redacted detail. */
export function formatLogLine(entry: RequestLogEntry, verbose: boolean, detail: LogDetail = {}): string {
  const parts = [
    new Date(entry.time).toISOString(),
    entry.method,
    entry.path,
    entry.model ?? "-",
    String(entry.status),
    `${entry.durationMs.toFixed(1)}ms`,
  ];
  if (entry.inputTokens !== undefined || entry.outputTokens !== undefined)
    parts.push(`tokens=${entry.inputTokens ?? "?"}/${entry.outputTokens ?? "?"}`);
  if (entry.login) parts.push(`user=${entry.login}`);
  if (entry.stream) parts.push("stream");
  if (entry.aborted) parts.push("client-aborted");
  if (entry.error) parts.push(`error=${entry.error}`);
  if (verbose) {
    if (detail.remoteAddress) parts.push(`from=${detail.remoteAddress}`);
    if (detail.upstreamRequestId) parts.push(`upstream-id=${detail.upstreamRequestId}`);
    if (detail.userAgent) parts.push(`ua=${JSON.stringify(detail.userAgent)}`);
    if (detail.errorMessage) parts.push(`message=${JSON.stringify(detail.errorMessage)}`);
  }
  return redactSecrets(parts.join(" "));
}
