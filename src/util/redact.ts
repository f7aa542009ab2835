/**
 * Patterns of secrets that must never leave the process: GitHub tokens, Copilot tokens, bearer values. A bearer
 * value must look like a secret (8+ characters, no `<placeholder>`), so help text such as
 * "Authorization: Bearer <key>" stays readable.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\b(gh[oprsu]_)[A-Za-z0-9_]{8,}/g,
  /\b(github_pat_)[A-Za-z0-9_]{8,}/g,
  // A team gateway's personal keys.
  /\b(cgw_)[0-9A-Za-z]{8,}/g,
  /\b(Bearer\s+)[^\s"',<>`)]{8,}/gi,
  /\b(tid=)[^\s"',)]+/g,
  /\b(token\s+)(?!\*\*\*\*)[A-Za-z0-9_.=-]{20,}/gi,
];

/**
 * All of the patterns in one case-insensitive pass (so a superset of each): most lines hold no secret and skip the
 * replaces. Built from the list, so a pattern added there is checked here too.
 */
const MAY_HOLD_SECRET = new RegExp(SECRET_PATTERNS.map((p) => p.source).join("|"), "i");

/**
 * Replace anything that looks like a token with its kind and `****`. The one redaction applied wherever a message
 * leaves the process: HTTP error bodies of both API shapes, stream error events, the page, CLI lines and logs.
 */
export function redactSecrets(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "$1****");
  return out;
}

const ERROR_MARK = '"error"';

/**
 * Redact a relayed stream chunk that carries an error (upstream error events may echo a header); other chunks,
 * the whole hot path, pass through untouched after one search.
 */
export function redactErrorChunk<T extends string | Uint8Array>(chunk: T): T | Buffer {
  if (typeof chunk === "string") return (chunk.includes(ERROR_MARK) ? redactSecrets(chunk) : chunk) as T;
  const bytes = Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (bytes.indexOf(ERROR_MARK) < 0) return chunk;
  const text = bytes.toString("utf8");
  const redacted = redactSecrets(text);
  return redacted === text ? chunk : Buffer.from(redacted);
}
