import { createHash, randomBytes } from "node:crypto";

/**
 * Personal API keys: `cgw_` and 43 base62 characters (about 256 bits), a shape secret scanners can match. Only the
 * SHA-256 of a key is stored: the key is random enough that a slow hash would add nothing but latency.
 */
export const PERSONAL_KEY_PREFIX = "cgw_";
export const PERSONAL_KEY_PATTERN = /^cgw_[0-9A-Za-z]{43}$/;
/** For scanners and log redaction: a personal key anywhere in a text. */
export const PERSONAL_KEY_IN_TEXT = /\bcgw_[0-9A-Za-z]{43}\b/g;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` uniformly random base62 characters (bytes ≥ 248 are dropped so no character is favoured). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generatePersonalKey(): string {
  return `${PERSONAL_KEY_PREFIX}${randomBase62(43)}`;
}

export function isPersonalKey(value: string): boolean {
  return PERSONAL_KEY_PATTERN.test(value);
}

/** Hex SHA-256, the only form of a key (or of a page-session or sign-in handle) that is stored. */
export function hashSecret(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** The last 4 characters, shown next to a key's name so a person can tell keys apart. */
export function personalKeyHint(key: string): string {
  return key.slice(-4);
}

/** A key's public id, used to revoke it: `key_` and 12 base62 characters. */
export function newKeyId(): string {
  return `key_${randomBase62(12)}`;
}
