import { z } from "zod";
import type { HttpResponse } from "../../http/request.js";

/** One limit as Copilot reports it on an answer (spec §10): how much is left and when it resets. */
export interface LimitReading {
  /** Percent of the limit still available, 0–100 (`rem`). */
  percentLeft: number;
  /** When the limit resets (ISO time, `rst`), when reported. */
  resetsAt: string | undefined;
  /** Entitlement (`ent`), for quotas; 0 or absent for the rate limits. */
  entitlement: number | undefined;
  /** Overage used (`ov`). */
  overageUsed: number | undefined;
  /** Whether overage is permitted (`ovPerm`). */
  overagePermitted: boolean | undefined;
}

/** Every limit read from one answer's headers. */
export interface LimitSnapshot {
  /** When the answer carrying these headers arrived (ISO time). */
  observedAt: string;
  /** The rolling 5-hour session limit (`x-usage-ratelimit-session`). */
  session: LimitReading | undefined;
  /** The 7-day limit (`x-usage-ratelimit-weekly`). */
  weekly: LimitReading | undefined;
  /** `x-quota-snapshot-<id>` by id (`premium_interactions`, `premium_models`, `chat`, …). */
  quotas: Record<string, LimitReading>;
}

export const SESSION_HEADER = "x-usage-ratelimit-session";
export const WEEKLY_HEADER = "x-usage-ratelimit-weekly";
export const QUOTA_HEADER_PREFIX = "x-quota-snapshot-";

const finite = z.coerce.number().refine(Number.isFinite).optional().catch(undefined);

/** The URL-encoded fields, validated leniently: a field that does not parse is left out, never fatal. */
const fieldsSchema = z.object({
  rem: z.coerce.number().min(0).max(100).catch(Number.NaN),
  rst: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)))
    .optional()
    .catch(undefined),
  ent: finite,
  ov: finite,
  ovPerm: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .catch(undefined),
});

/** `ent=0&ov=0.0&ovPerm=false&rem=99.6&rst=2026-04-22T14%3A30%3A56Z` → a reading; undefined without a usable `rem`. */
export function parseLimitHeader(value: string | undefined): LimitReading | undefined {
  if (!value) return undefined;
  const fields = fieldsSchema.parse(Object.fromEntries(new URLSearchParams(value)));
  if (Number.isNaN(fields.rem)) return undefined;
  return {
    percentLeft: fields.rem,
    resetsAt: fields.rst === undefined ? undefined : new Date(fields.rst).toISOString(),
    entitlement: fields.ent,
    overageUsed: fields.ov,
    overagePermitted: fields.ovPerm,
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The limit headers of one answer, joined into one string (empty when there are none). Cheap: a scan of the header
 * names, no parsing, so the hot path can skip answers whose limits have not moved.
 */
export function limitHeaderKey(headers: HttpResponse["headers"]): string {
  let key = "";
  for (const name in headers) {
    if (name === SESSION_HEADER || name === WEEKLY_HEADER || name.startsWith(QUOTA_HEADER_PREFIX))
      key += `${name}:${single(headers[name])}\n`;
  }
  return key;
}

/** Every limit of one answer's headers, or undefined when the answer carries none that parse. */
export function parseLimitHeaders(
  headers: HttpResponse["headers"],
  now = new Date(),
): LimitSnapshot | undefined {
  const session = parseLimitHeader(single(headers[SESSION_HEADER]));
  const weekly = parseLimitHeader(single(headers[WEEKLY_HEADER]));
  const quotas: Record<string, LimitReading> = {};
  for (const name in headers) {
    if (!name.startsWith(QUOTA_HEADER_PREFIX)) continue;
    const reading = parseLimitHeader(single(headers[name]));
    if (reading) quotas[name.slice(QUOTA_HEADER_PREFIX.length)] = reading;
  }
  if (!session && !weekly && Object.keys(quotas).length === 0) return undefined;
  return { observedAt: now.toISOString(), session, weekly, quotas };
}

/** The limits of a snapshot as a flat list, named for messages and metrics (`session`, `weekly`, `quota:chat`). */
export function listLimits(
  snapshot: LimitSnapshot,
): { name: string; label: string; reading: LimitReading }[] {
  const out: { name: string; label: string; reading: LimitReading }[] = [];
  if (snapshot.session) out.push({ name: "session", label: "session limit", reading: snapshot.session });
  if (snapshot.weekly) out.push({ name: "weekly", label: "weekly limit", reading: snapshot.weekly });
  for (const [id, reading] of Object.entries(snapshot.quotas))
    out.push({ name: `quota:${id}`, label: `${id.replaceAll("_", " ")} quota`, reading });
  return out;
}
