import { randomUUID } from "node:crypto";
import type { Dispatcher } from "undici";
import type { EditorIdentity } from "../config/editor-headers.js";
import { AbortedError, ConnectionError } from "../errors.js";
import { type HttpResponse, sendHttp } from "../http/request.js";
import {
  type CopilotApiError,
  copilotErrorFromParts,
  isHoursLimitCode,
  parseUpstreamErrorBody,
  retryAfterFromHeaders,
} from "./api-error.js";
import type { LimitTracker } from "./limits/limit-tracker.js";
import type { SessionEvents } from "./session-events.js";
import type { CopilotTokenManager } from "./token-manager.js";

export interface RetryPolicy {
  /** Retries after the first attempt for 429/5xx/connection failures. The 401 refresh is extra. */
  maxRetries: number;
  /** Longest Retry-After we are willing to wait; a longer one fails at once with the wait in the message. */
  maxRetryAfterMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  maxRetryAfterMs: 20_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
};

/** How long a Copilot request may wait, in milliseconds. */
export interface Timeouts {
  /** Connect and first byte of the answer. */
  firstByteMs: number;
  /** Between two chunks of a (streamed) body. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { firstByteMs: 120_000, idleMs: 120_000 };

/** What a Copilot request needs; built once per process and passed down (no module state). */
export interface CopilotTransportContext {
  identity: EditorIdentity;
  dispatcher: Dispatcher;
  tokens: CopilotTokenManager;
  /** Reads the limit headers of every answer (spec §10). */
  limits?: LimitTracker | undefined;
  /** Told of retries and upstream errors (metrics). */
  events?: SessionEvents | undefined;
  retry: RetryPolicy;
  timeouts: Timeouts;
  /** Waits `ms`, rejecting when the signal aborts; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface CopilotRequest {
  method: "GET" | "POST";
  /** Path below the Copilot API base, e.g. `/chat/completions`. */
  path: string;
  /** Serialized JSON body (the caller serializes once; the hot path may pass client bytes through). */
  body?: string | Buffer | undefined;
  signal?: AbortSignal | undefined;
  /** `user` bills a premium request; `agent` marks tool results and follow-ups. */
  initiator?: "user" | "agent" | undefined;
  vision?: boolean | undefined;
  intent?: string | undefined;
  headers?: Record<string, string> | undefined;
}

export function copilotHeaders(
  identity: EditorIdentity,
  token: string,
  req: CopilotRequest,
): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "editor-version": identity.editorVersion,
    "editor-plugin-version": identity.editorPluginVersion,
    "user-agent": identity.userAgent,
    "copilot-integration-id": identity.integrationId,
    "openai-intent": req.intent ?? identity.openaiIntent,
    "x-github-api-version": identity.copilotApiVersion,
    "x-request-id": randomUUID(),
    accept: "application/json",
  };
  if (req.body !== undefined) headers["content-type"] = "application/json";
  if (req.initiator) headers["x-initiator"] = req.initiator;
  if (req.vision) headers["copilot-vision-request"] = "true";
  return { ...headers, ...req.headers };
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function backoffMs(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.25));
}

const RETRY_AFTER_STATUSES = new Set([429, 503]);
const BACKOFF_STATUSES = new Set([500, 502, 504]);

/**
 * Send one request to the Copilot API and return the successful response with its body unread (so streams can be
 * piped). Heals a 401 with one fresh token, honours Retry-After on 429/503 within a bound, backs off on other 5xx and
 * connection failures. Nothing is retried once a successful response has been handed back.
 */
export async function sendToCopilot(
  ctx: CopilotTransportContext,
  req: CopilotRequest,
): Promise<HttpResponse> {
  const sleep = ctx.sleep ?? defaultSleep;
  let refreshed = false;
  let attempt = 0;
  for (;;) {
    const token = await ctx.tokens.get(req.signal);
    let response: HttpResponse;
    try {
      response = await sendHttp({
        method: req.method,
        url: `${token.apiUrl}${req.path}`,
        headers: copilotHeaders(ctx.identity, token.token, req),
        body: req.body,
        signal: req.signal,
        dispatcher: ctx.dispatcher,
        headersTimeoutMs: ctx.timeouts.firstByteMs,
        bodyTimeoutMs: ctx.timeouts.idleMs,
      });
    } catch (error) {
      if (error instanceof ConnectionError && attempt < ctx.retry.maxRetries) {
        ctx.events?.emit("retry", "connection");
        await sleep(backoffMs(ctx.retry, attempt++), req.signal);
        continue;
      }
      throw error;
    }
    const status = response.statusCode;
    ctx.limits?.observe(response.headers);
    if (status < 400) return response;
    if (status === 401 && !refreshed) {
      refreshed = true;
      await response.body.dump();
      ctx.tokens.invalidate(token.token);
      continue;
    }
    // A 429 names its limit in the body: a session or weekly limit lasts hours, so it is never waited for.
    const text = status === 429 ? await response.body.text().catch(() => "") : undefined;
    const hoursLimit = text !== undefined && isHoursLimitCode(parseUpstreamErrorBody(text).code);
    if (attempt < ctx.retry.maxRetries && !hoursLimit) {
      let wait: number | undefined;
      if (RETRY_AFTER_STATUSES.has(status)) {
        const retryAfter = retryAfterFromHeaders(response.headers);
        if (retryAfter === undefined) wait = backoffMs(ctx.retry, attempt);
        else if (retryAfter <= ctx.retry.maxRetryAfterMs) wait = retryAfter;
      } else if (BACKOFF_STATUSES.has(status)) {
        wait = backoffMs(ctx.retry, attempt);
      }
      if (wait !== undefined) {
        if (text === undefined) await response.body.dump();
        ctx.events?.emit("retry", `status:${status}`);
        attempt++;
        await sleep(wait, req.signal);
        continue;
      }
    }
    const error: CopilotApiError = copilotErrorFromParts(
      status,
      text ?? (await response.body.text().catch(() => "")),
      response.headers,
      ctx.limits?.current(),
    );
    ctx.events?.emit("upstreamError", error.code, status);
    throw error;
  }
}
