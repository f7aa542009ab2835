/** Patterns of secrets that must never reach a log line: GitHub tokens, Copilot tokens, bearer values. */
const SECRET_PATTERNS: RegExp[] = [
  /\b(gh[opsu]_)[A-Za-z0-9_]{8,}/g,
  /\b(github_pat_)[A-Za-z0-9_]{8,}/g,
  /\b(tid=)[^\s"',]+/g,
  /\b(Bearer\s+)[^\s"',]+/gi,
];

/** Replace anything that looks like a token with its kind and `****`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "$1****");
  return out;
}
