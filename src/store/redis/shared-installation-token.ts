import { createHash } from "node:crypto";
import { z } from "zod";
import type { InstallationToken } from "../../credentials/github-app/installation-token.js";
import {
  type InstallationTokenShare,
  installationRefreshMarginMs,
} from "../../credentials/github-app/installation-token-source.js";
import type { SecretBox } from "../../team/secret-box.js";
import { RedisKeys } from "./redis-keys.js";
import type { SharedTokens } from "./shared-token.js";

const NAME = "installation-token";

/** What is sealed into Redis. */
const sealedSchema = z.object({ token: z.string().min(1), expiresAt: z.string() });

const fingerprintOf = (token: string) => createHash("sha256").update(token).digest("hex").slice(0, 16);

export interface SharedInstallationTokenOptions {
  tokens: SharedTokens;
  box: SecretBox;
  installationId: string;
  /** Wall clock, injectable. */
  now?: () => number;
}

/**
 * A GitHub App installation's `ghs_` token shared by every replica (`--billing org` on Redis): one replica mints it,
 * stores it sealed under the installation's own hash tag with its renewal and end times on the wall clock, and the
 * others use it until it is due — one mint per token lifetime for the whole deployment. Plugs into the App
 * credential as its `shareInstallationToken`.
 */
export class SharedInstallationToken implements InstallationTokenShare {
  readonly #options: SharedInstallationTokenOptions;
  readonly #tag: string;
  readonly #context: string;
  readonly #now: () => number;

  constructor(options: SharedInstallationTokenOptions) {
    this.#options = options;
    this.#tag = RedisKeys.appTag(options.installationId);
    this.#context = `installation-token:${options.installationId}`;
    this.#now = options.now ?? Date.now;
  }

  readonly get = async (mint: () => Promise<InstallationToken>): Promise<InstallationToken> => {
    const produce = async () => {
      const startedAt = this.#now();
      const token = await mint();
      return {
        payload: this.#options.box.seal(
          JSON.stringify({ token: token.token, expiresAt: token.expiresAt }),
          this.#context,
        ),
        fingerprint: fingerprintOf(token.token),
        refreshAt: startedAt + token.lifetimeMs - installationRefreshMarginMs(token.lifetimeMs),
        expiresAt: startedAt + token.lifetimeMs,
      };
    };
    const shared = await this.#options.tokens.get(this.#tag, NAME, produce);
    const value = sealedSchema.parse(JSON.parse(this.#options.box.open(shared.payload, this.#context)));
    const now = this.#now();
    return {
      token: value.token,
      expiresAt: value.expiresAt,
      lifetimeMs: Math.max(0, shared.expiresAt - now),
      refreshInMs: Math.max(0, shared.refreshAt - now),
    };
  };

  readonly invalidate = (token: string): void => {
    this.#options.tokens.invalidate(this.#tag, NAME, fingerprintOf(token)).catch(() => {});
  };
}
