/** Patterns of secrets that must never reach a log line: GitHub tokens, Copilot tokens, bearer values. */
const SECRET_PATTERNS: RegExp[] = [
  /\b(gh[opsu]_)[A-Za-z0-9_]{8,}/g,
  /\b(github_pat_)[A-Za-z0-9_]{8,}/g,
  /\b(tid=)[^\s"',]+/g,
  /\b(Bearer\s+)[^\s"',]+/gi,
];

/**
 * All of the patterns in one case-insensitive pass (so a superset of each): most lines hold no secret and skip the
 * replaces. Built from the list, so a pattern added there is checked here too.
 */
const MAY_HOLD_SECRET = new RegExp(SECRET_PATTERNS.map((p) => p.source).join("|"), "i");

/** Replace anything that looks like a token with its kind and `****`. */
export function redactSecrets(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "$1****");
  return out;
}
