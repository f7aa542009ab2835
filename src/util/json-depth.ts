/**
 * The deepest nesting of objects and arrays any JSON body may have, on every route. Real requests stay far below
 * it (a tool's JSON Schema rarely passes 20 levels); the translation, the schemas and the token counter walk
 * bodies recursively, and thousands of levels would overflow the stack there.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * True when the JSON text nests objects/arrays deeper than `limit`. One iterative pass over the bytes (no
 * recursion, no parse), skipping string contents, so it is safe to run before anything walks the body. It does not
 * validate: malformed text is left for the parser to refuse.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Most bodies open fewer brackets in all than the limit, so they cannot nest deeper.
  if (opensAtMost(buf, OPEN_BRACE, OPEN_BRACKET, limit)) return false;
  let depth = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      // A string is skipped with native searches for its closing quote (prompt text is most of a large body).
      i = closingQuote(buf, i);
      if (i < 0) return false;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Index of the quote that closes the string opened at `open` (one not escaped by an odd run of backslashes). */
function closingQuote(buf: Buffer, open: number): number {
  for (let at = buf.indexOf(QUOTE, open + 1); at >= 0; at = buf.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (buf[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** True when `a` and `b` occur at most `limit` times in all (strings included: it only has to be an upper bound). */
function opensAtMost(buf: Buffer, a: number, b: number, limit: number): boolean {
  let count = 0;
  for (const byte of [a, b])
    for (let at = buf.indexOf(byte); at >= 0; at = buf.indexOf(byte, at + 1))
      if (++count > limit) return false;
  return true;
}
