/**
 * One server-sent event. `event` must be a single token (no CR/LF) and data is JSON, which never contains a raw
 * newline, so one `data:` line always suffices.
 */
export function formatSseEvent(event: string, data: unknown): string {
  if (!/^[A-Za-z0-9_-]+$/.test(event)) throw new Error(`invalid SSE event name: ${JSON.stringify(event)}`);
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps idle connections (and proxies) from timing out; clients ignore it. */
export const SSE_KEEPALIVE = ": keepalive\n\n";
