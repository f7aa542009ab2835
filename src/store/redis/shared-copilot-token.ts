import { createHash } from "node:crypto";
import { z } from "zod";
import type { CopilotToken } from "../../copilot/copilot-token.js";
import { refreshDelayMs } from "../../copilot/token-manager.js";
import type { SecretBox } from "../../team/secret-box.js";
import { RedisKeys } from "./redis-keys.js";
import type { SharedTokens } from "./shared-token.js";

const NAME = "copilot-token";

/** What is sealed into Redis: the token and, instead of a monotonic time, the wall-clock time it arrived. */
const sharedSchema = z.object({
  token: z.string().min(1),
  expiresAt: z.number(),
  refreshIn: z.number(),
  receivedAtWall: z.number(),
  apiUrl: z.string(),
  sku: z.string().optional(),
  chatEnabled: z.boolean().optional(),
});

export function fingerprintOf(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 16);
}

export interface SharedCopilotTokenOptions {
  tokens: SharedTokens;
  box: SecretBox;
  /** Whose token: a person (`--billing seat`) or the organisation's App installation (`--billing org`). */
  owner: { login: string } | { installationId: string };
  /** Wall clock, injectable. */
  now?: () => number;
}

/**
 * One person's (or the App installation's) Copilot token shared by every replica through Redis: sealed with the
 * gateway's secret (bound to its owner), stored with its refresh time on the wall clock so every replica refreshes at the same moment, and
 * exchanged by one replica per refresh period. Plugs into `createCopilotSession({ shareExchange, onInvalidate })`.
 */
export class SharedCopilotToken {
  readonly #options: SharedCopilotTokenOptions;
  readonly #tag: string;
  readonly #context: string;
  readonly #now: () => number;
  /** The token Copilot refused here: never taken back from Redis, even before the drop below reaches it. */
  #refused: string | undefined;

  constructor(options: SharedCopilotTokenOptions) {
    this.#options = options;
    const { owner } = options;
    this.#tag = "login" in owner ? RedisKeys.tagOf(owner.login) : RedisKeys.appTag(owner.installationId);
    this.#context = `copilot-token:${"login" in owner ? owner.login.toLowerCase() : `app-${owner.installationId}`}`;
    this.#now = options.now ?? Date.now;
  }

  /** `shareExchange` for the person's session. */
  readonly get = async (exchange: () => Promise<CopilotToken>): Promise<CopilotToken> => {
    const produce = async () => {
      const token = await exchange();
      const receivedAtWall = this.#now() - (performance.now() - token.receivedAt);
      const sealed = this.#options.box.seal(
        JSON.stringify({
          token: token.token,
          expiresAt: token.expiresAt,
          refreshIn: token.refreshIn,
          receivedAtWall,
          apiUrl: token.apiUrl,
          sku: token.sku,
          chatEnabled: token.chatEnabled,
        }),
        this.#context,
      );
      return {
        payload: sealed,
        fingerprint: fingerprintOf(token.token),
        refreshAt: receivedAtWall + refreshDelayMs(token.refreshIn),
        expiresAt: receivedAtWall + token.refreshIn * 1000,
      };
    };
    let shared = await this.#options.tokens.get(this.#tag, NAME, produce);
    if (this.#refused !== undefined && shared.fingerprint === this.#refused) {
      await this.#options.tokens.invalidate(this.#tag, NAME, shared.fingerprint);
      shared = await this.#options.tokens.get(this.#tag, NAME, produce);
    }
    return this.#open(shared.payload);
  };

  /** `onInvalidate`: Copilot refused this token; no replica should use it again. */
  readonly invalidate = (token: CopilotToken): void => {
    const fingerprint = fingerprintOf(token.token);
    this.#refused = fingerprint;
    this.#options.tokens.invalidate(this.#tag, NAME, fingerprint).catch(() => {});
  };

  #open(payload: string): CopilotToken {
    const value = sharedSchema.parse(JSON.parse(this.#options.box.open(payload, this.#context)));
    return {
      token: value.token,
      expiresAt: value.expiresAt,
      refreshIn: value.refreshIn,
      // Back to this process's monotonic clock, so the token manager refreshes when every replica does.
      receivedAt: performance.now() - (this.#now() - value.receivedAtWall),
      apiUrl: value.apiUrl,
      sku: value.sku,
      chatEnabled: value.chatEnabled,
    };
  }
}
