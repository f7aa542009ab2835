import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * Checks a presented client key against the configured ones in constant time: both sides are hashed to the same
 * length first, and every configured key is compared, so neither length nor position leaks through timing.
 */
export class ApiKeyCheck {
  readonly #digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.#digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.#digests.length > 0;
  }

  /** The key from `Authorization: Bearer …` or `x-api-key` (what OpenAI and Anthropic SDKs send). */
  static presented(headers: IncomingHttpHeaders): string | undefined {
    const xApiKey = headers["x-api-key"];
    if (typeof xApiKey === "string" && xApiKey) return xApiKey.trim();
    const auth = headers.authorization;
    if (typeof auth === "string") {
      const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (match?.[1]) return match[1].trim();
    }
    return undefined;
  }

  accepts(presented: string | undefined): boolean {
    if (!this.enabled) return true;
    if (!presented) return false;
    const candidate = digest(presented);
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(d, candidate) || ok;
    return ok;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
