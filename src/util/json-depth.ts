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
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return false;
}
