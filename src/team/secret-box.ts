import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { EXIT_CODES, GatewayError } from "../errors.js";

/**
 * Seals secrets at rest (people's GitHub tokens, pending device codes) with AES-256-GCM. Sealed text looks like
 * `v1.<key id>.<base64url(iv ‖ tag ‖ ciphertext)>`: the key id picks the key on open, so after a rotation the old
 * key still opens what it sealed while everything new is sealed under the new one. `context` (e.g. the login) is
 * authenticated data, so a sealed value moved to another person's row does not open.
 */
export interface SecretBox {
  /** Id of the key new seals use (first 8 hex digits of a hash of the key; safe to show). */
  readonly keyId: string;
  seal(plaintext: string, context: string): string;
  /** The plaintext, or a `SecretBoxError` when no known key opens it or it was tampered with. */
  open(sealed: string, context: string): string;
  /** True when `sealed` was made with an older key and should be sealed again. */
  isStale(sealed: string): boolean;
}

export class SecretBoxError extends GatewayError {
  constructor(message: string) {
    super("secret_unreadable", message, { exitCode: EXIT_CODES.unexpected, status: 401 });
  }
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte AES key from a secret string of any length ≥ 32 (HKDF-SHA-256, fixed salt and label). */
export function deriveBoxKey(secret: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", Buffer.from(secret, "utf8"), "copilot-gateway", "secret box v1", 32) as ArrayBuffer,
  );
}

export function boxKeyId(key: Buffer): string {
  return createHash("sha256").update("copilot-gateway key id").update(key).digest("hex").slice(0, 8);
}

/** `keys[0]` seals; every key opens what it sealed. */
export function createSecretBox(keys: readonly Buffer[]): SecretBox {
  if (keys.length === 0 || keys.some((k) => k.length !== 32)) {
    throw new Error("createSecretBox needs at least one 32-byte key");
  }
  const byId = new Map(keys.map((k) => [boxKeyId(k), k] as const));
  const current = keys[0]!;
  const keyId = boxKeyId(current);
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${VERSION}.${keyId}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(sealed, context) {
      const [version, id, payload] = sealed.split(".");
      if (version !== VERSION || !id || payload === undefined) {
        throw new SecretBoxError("A stored secret is not in a format this gateway knows; sign in again.");
      }
      const key = byId.get(id);
      if (!key) {
        throw new SecretBoxError(
          `A stored secret was sealed with a key this gateway no longer has (key ${id}); sign in again, or give the old secret in COPILOT_GATEWAY_SECRET_PREVIOUS.`,
        );
      }
      const raw = Buffer.from(payload, "base64url");
      if (raw.length < IV_BYTES + TAG_BYTES) {
        throw new SecretBoxError("A stored secret is damaged; sign in again.");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new SecretBoxError("A stored secret failed its integrity check; sign in again.");
      }
    },
    isStale(sealed) {
      return sealed.split(".")[1] !== keyId;
    },
  };
}
