import { EXIT_CODES, GatewayError } from "../errors.js";
import { type HttpResponse, headerValue } from "../http/request.js";
import type { LimitSnapshot } from "./limits/limit-snapshot.js";
import { resetsAtAndIn } from "./limits/reset-time.js";

/** 429 codes for the limits measured in hours or days (spec §10): never worth a retry. */
const HOURS_LIMIT_CODES: Record<string, { name: string; reading: "weekly" | "session" }> = {
  user_weekly_rate_limited: { name: "weekly limit", reading: "weekly" },
  user_global_rate_limited: { name: "session limit (5 hours)", reading: "session" },
};

export function isHoursLimitCode(code: string | undefined): boolean {
  return code !== undefined && Object.hasOwn(HOURS_LIMIT_CODES, code);
}

/** An error answer from the Copilot API, with its status, upstream code and one-line message. */
export class CopilotApiError extends GatewayError {
  /** Upstream HTTP status (also the status the gateway relays). */
  readonly upstreamStatus: number;
  /** Copilot's own error code (`quota_exceeded`, `model_not_supported`, …) when it sent one. */
  readonly upstreamCode: string | undefined;
  readonly upstreamMessage: string;
  readonly headers: Record<string, string>;
  readonly requestId: string | undefined;
  /** Parsed Retry-After in milliseconds, when present. */
  readonly retryAfterMs: number | undefined;
  /** For a 402: when the quota resets (ISO date), when known. */
  readonly resetDate: string | undefined;

  constructor(init: {
    code: string;
    message: string;
    status: number;
    upstreamCode?: string | undefined;
    upstreamMessage: string;
    headers?: Record<string, string>;
    requestId?: string | undefined;
    retryAfterMs?: number | undefined;
    resetDate?: string | undefined;
  }) {
    super(init.code, init.message, { exitCode: EXIT_CODES.upstream, status: init.status });
    this.upstreamStatus = init.status;
    this.upstreamCode = init.upstreamCode;
    this.upstreamMessage = init.upstreamMessage;
    this.headers = init.headers ?? {};
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.resetDate = init.resetDate;
  }
}

/** A 402 retold with the date the quota resets (from Retry-After or `copilot_internal/user`). */
export function withQuotaResetDate(error: CopilotApiError, resetDate: string | undefined): CopilotApiError {
  if (!resetDate) return error;
  return new CopilotApiError({
    code: error.code,
    message: `Your Copilot quota is exhausted (${error.upstreamMessage}); it resets on ${resetDate}. See \`copilot-gateway usage\`.`,
    status: error.upstreamStatus,
    upstreamCode: error.upstreamCode,
    upstreamMessage: error.upstreamMessage,
    headers: error.headers,
    requestId: error.requestId,
    retryAfterMs: error.retryAfterMs,
    resetDate,
  });
}

/** Retry-After as seconds or an HTTP date (spec §4), in milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** How long a 429/503 asks us to wait: `Retry-After`, else Copilot's `x-ratelimit-user-retry-after` (spec §8). */
export function retryAfterFromHeaders(
  headers: HttpResponse["headers"],
  now = Date.now(),
): number | undefined {
  return (
    parseRetryAfter(headerValue(headers, "retry-after"), now) ??
    parseRetryAfter(headerValue(headers, "x-ratelimit-user-retry-after"), now)
  );
}

/** A wait in words: "45 s", "12 min", "1 h 45 min". */
export function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
}

/** Copilot bodies are `{error:{message,code}}`, sometimes JSON sent as text/plain, sometimes plain text: sniff. */
export function parseUpstreamErrorBody(text: string): { message: string; code: string | undefined } {
  const trimmed = text.trim();
  try {
    const json = JSON.parse(trimmed) as { error?: { message?: unknown; code?: unknown }; message?: unknown };
    const err = json.error && typeof json.error === "object" ? json.error : json;
    const message = typeof err.message === "string" ? err.message : trimmed;
    const code = "code" in err && typeof err.code === "string" ? err.code : undefined;
    return { message, code };
  } catch {
    return { message: trimmed || "(empty body)", code: undefined };
  }
}

function codeForStatus(status: number, upstreamCode: string | undefined): string {
  if (upstreamCode) return upstreamCode;
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 402:
      return "quota_exceeded";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 422:
      return "content_filtered";
    case 429:
      return "rate_limited";
    case 466:
      return "client_version_unsupported";
    default:
      return status >= 500 ? "upstream_unavailable" : "upstream_error";
  }
}

function explain(
  status: number,
  code: string,
  message: string,
  retryAfterMs: number | undefined,
  resetDate: string | undefined,
  limit: string | undefined,
): string {
  const retry = retryAfterMs !== undefined ? ` Retry after ${formatWait(retryAfterMs)}.` : "";
  const hours = HOURS_LIMIT_CODES[code];
  if (status === 429 && hours) {
    const when =
      retryAfterMs === undefined
        ? "the reset time was not reported"
        : resetsAtAndIn(new Date(Date.now() + retryAfterMs));
    return `${hours.name} reached; ${when}. Copilot said: ${message} Run \`copilot-gateway usage\` to see your limits.`;
  }
  if (/Editor-Version/i.test(message))
    return `Copilot rejected the editor version (${message}); set COPILOT_GATEWAY_EDITOR_VERSION to a current vscode/x.y.z.`;
  if (code === "model_not_supported" || code === "unsupported_api_for_model")
    return `Copilot cannot use this model here (${message}); run \`copilot-gateway models\` to pick another.`;
  switch (status) {
    // The transport already exchanged a fresh token once; a second 401 is not a stale token.
    case 401:
      return `Copilot refused a freshly exchanged token (${message}); run \`copilot-gateway status\` to check the sign-in, then retry.`;
    case 402:
      return resetDate
        ? `Your Copilot quota is exhausted (${message}); it resets on ${resetDate}. See \`copilot-gateway usage\`.`
        : `Your Copilot quota is exhausted (${message}); see \`copilot-gateway usage\` for the reset date.`;
    case 403:
      return `Copilot refused the request (${message}); the model may be disabled by your organization's policy or need enabling with \`copilot-gateway models enable <id>\`.`;
    case 422:
      return `Copilot's content filter blocked this request (${message}); rephrase the prompt.`;
    case 429:
      return `Copilot rate-limited this request (${code}: ${message}${limit ? `; limit ${limit}` : ""}).${retry || " Wait a moment and retry."}`;
    case 466:
      return `Copilot no longer supports this client version (${message}); update copilot-gateway or set COPILOT_GATEWAY_EDITOR_PLUGIN_VERSION.`;
    default:
      if (status >= 500)
        return `Copilot is unavailable (HTTP ${status}: ${message}); retry in a moment.${retry}`;
      return `Copilot answered HTTP ${status}: ${message}`;
  }
}

function flatHeaders(headers: HttpResponse["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** Build the typed error from an error response; reads (and so consumes) the body. */
export async function copilotErrorFromResponse(response: HttpResponse): Promise<CopilotApiError> {
  const text = await response.body.text().catch(() => "");
  return copilotErrorFromParts(response.statusCode, text, response.headers);
}

/** A reset time in the future from the snapshot, as milliseconds from now. */
function untilReset(resetsAt: string | undefined, now: number): number | undefined {
  if (!resetsAt) return undefined;
  const ms = Date.parse(resetsAt) - now;
  return ms > 0 ? ms : undefined;
}

export function copilotErrorFromParts(
  status: number,
  text: string,
  headers: HttpResponse["headers"],
  limits?: LimitSnapshot | undefined,
): CopilotApiError {
  const { message, code: upstreamCode } = parseUpstreamErrorBody(text);
  const hours = upstreamCode === undefined ? undefined : HOURS_LIMIT_CODES[upstreamCode];
  // Without a Retry-After, the reset time of the limit hit (from this answer's limit headers) says when to retry.
  const retryAfterMs =
    retryAfterFromHeaders(headers) ??
    (status === 429 && hours ? untilReset(limits?.[hours.reading]?.resetsAt, Date.now()) : undefined);
  // `x-ratelimit-exceeded` names the limit hit, e.g. `global-chat:global-usage-5-hour-key:userID:…`; keep its name.
  const limit = headerValue(headers, "x-ratelimit-exceeded")?.split(":userID")[0];
  const code = codeForStatus(status, upstreamCode);
  // A 402's Retry-After (a date or seconds) says when the quota comes back.
  const resetDate =
    status === 402 && retryAfterMs !== undefined
      ? new Date(Date.now() + retryAfterMs).toISOString().slice(0, 10)
      : undefined;
  return new CopilotApiError({
    code,
    message: explain(status, code, message, retryAfterMs, resetDate, limit),
    status,
    upstreamCode,
    upstreamMessage: message,
    headers: flatHeaders(headers),
    requestId: headerValue(headers, "x-request-id") ?? headerValue(headers, "x-github-request-id"),
    retryAfterMs,
    resetDate,
  });
}
