import { z } from "zod";

/** The exchange answer (spec §3). Only token, expires_at and refresh_in are always present. */
export const copilotTokenResponseSchema = z
  .object({
    token: z.string().min(1),
    expires_at: z.number(),
    refresh_in: z.number(),
    endpoints: z.object({ api: z.string().url().optional() }).passthrough().optional(),
    sku: z.string().optional(),
    chat_enabled: z.boolean().optional(),
    individual: z.boolean().optional(),
    organization_list: z.array(z.unknown()).nullish(),
  })
  .passthrough();

export type CopilotTokenResponse = z.infer<typeof copilotTokenResponseSchema>;

/** A Copilot API token with the facts needed to use and refresh it. Never printed. */
export interface CopilotToken {
  token: string;
  /** Unix seconds, as the server said (display only: the local clock may be wrong). */
  expiresAt: number;
  /** Seconds until the server wants a refresh, as received. */
  refreshIn: number;
  /** Monotonic time (ms, performance.now()) when the answer arrived; refresh timing is measured from here. */
  receivedAt: number;
  /** Copilot API base: the token's endpoints.api, the forced override, or the account-type fallback. */
  apiUrl: string;
  sku: string | undefined;
  chatEnabled: boolean | undefined;
  /**
   * What `token` is: a Copilot token from the exchange (default), the GitHub token itself used directly as the
   * bearer (fine-grained PATs, tokens the exchange refuses), or a Copilot token given as is.
   */
  bearer?: "exchanged" | "direct" | "copilot-token" | undefined;
}
