import { z } from "zod";

/**
 * The records a team gateway keeps, as zod schemas so every implementation validates what it reads back (a store
 * row is input crossing a boundary like any other). Times are Unix milliseconds; days are UTC `YYYY-MM-DD`.
 */

const unixMs = z.number().int().nonnegative();
const optionalMs = unixMs.optional();

/** A person who signed in. `login` is GitHub's spelling; lookups compare it case-insensitively. */
export const teamUserSchema = z.object({
  login: z.string().min(1),
  githubId: z.number().int(),
  name: z.string().optional(),
  /** Organisation logins seen at the last membership check (sign-in or token refresh). */
  orgs: z.array(z.string()),
  createdAt: unixMs,
  lastSignInAt: unixMs,
  lastUsedAt: optionalMs,
  /** Set when an admin revoked the person: no key works and sign-in is refused until re-enabled. */
  disabledAt: optionalMs,
  disabledBy: z.string().optional(),
});
export type TeamUser = z.infer<typeof teamUserSchema>;

/** A personal API key. Only the SHA-256 of the key is kept; `hint` is its last 4 characters for display. */
export const apiKeyRecordSchema = z.object({
  id: z.string().min(1),
  login: z.string().min(1),
  name: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  hint: z.string(),
  createdAt: unixMs,
  lastUsedAt: optionalMs,
  revokedAt: optionalMs,
  revokedBy: z.string().optional(),
});
export type ApiKeyRecord = z.infer<typeof apiKeyRecordSchema>;

/** A GitHub token sealed by the secret box (opaque ciphertext; never the token itself). */
export const sealedGitHubTokenSchema = z.object({
  login: z.string().min(1),
  sealed: z.string().min(1),
  /** The host the token belongs to, e.g. github.com. */
  host: z.string(),
  /** Token scopes GitHub granted, when it said. */
  scopes: z.string().optional(),
  updatedAt: unixMs,
});
export type SealedGitHubToken = z.infer<typeof sealedGitHubTokenSchema>;

export const SIGN_IN_STATUSES = ["pending", "complete", "refused", "denied", "expired", "failed"] as const;
export type SignInStatus = (typeof SIGN_IN_STATUSES)[number];

/**
 * A device-flow sign-in the gateway runs for a person. Kept in the store so whichever replica receives the next
 * poll can carry it on. `id` is a hash of the handle the client holds; the device code is sealed.
 */
export const pendingSignInSchema = z.object({
  id: z.string().min(1),
  /** "connect" (CLI) or "page" (browser, which also gets a page session on completion). */
  via: z.enum(["connect", "page"]),
  keyName: z.string(),
  sealedDeviceCode: z.string().min(1),
  userCode: z.string(),
  verificationUri: z.string(),
  intervalSeconds: z.number().nonnegative(),
  createdAt: unixMs,
  expiresAt: unixMs,
  /** No replica polls GitHub before this time (RFC 8628 interval, bumped by slow_down). */
  nextPollAt: unixMs,
  status: z.enum(SIGN_IN_STATUSES),
  login: z.string().optional(),
  /** Why a sign-in ended without a key, in words for the person. */
  message: z.string().optional(),
  clientAddress: z.string().optional(),
});
export type PendingSignIn = z.infer<typeof pendingSignInSchema>;

/** A browser session on the gateway's page. `id` is a hash of the cookie value. */
export const pageSessionSchema = z.object({
  id: z.string().min(1),
  login: z.string().min(1),
  createdAt: unixMs,
  expiresAt: unixMs,
});
export type PageSession = z.infer<typeof pageSessionSchema>;

/** One person's use of one model on one day. */
export const usageRowSchema = z.object({
  login: z.string(),
  model: z.string(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  requests: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative(),
});
export type UsageRow = z.infer<typeof usageRowSchema>;

/** What one finished request adds to the counters (requests is normally 1). */
export interface UsageEvent extends UsageRow {
  /** The key the request came with; its last-used time is set too. */
  keyId?: string | undefined;
  at: number;
}

export const AUDIT_ACTIONS = [
  "sign_in",
  "sign_in_refused",
  "key_created",
  "key_revoked",
  "user_disabled",
  "user_enabled",
  "membership_lost",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const auditEntrySchema = z.object({
  /** Store-assigned, increasing: newer entries sort after older ones as strings of equal length or as numbers. */
  id: z.string(),
  at: unixMs,
  /** Who did it: a login, or "cli" for the operator's `copilot-gateway team` commands, or "gateway". */
  actor: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  /** The person it concerns, when not the actor. */
  subject: z.string().optional(),
  detail: z.string().optional(),
  address: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditInput = Omit<AuditEntry, "id">;

/** `YYYY-MM-DD` in UTC for a Unix-ms time. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
