import { setTimeout as delay } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { z } from "zod";
import { AbortedError, ConnectionError, TimeoutError } from "../../errors.js";
import type { HttpResponse } from "../../http/request.js";
import { DeviceFlowError, deviceFlowErrorFrom } from "./device-flow-error.js";
import { defaultSendHttp, oauthPost, readOAuthAnswer, type SendHttp } from "./oauth-answer.js";
import type { DeviceCode } from "./start-device-flow.js";

export const DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** Options of pollDeviceFlow (step 2 of the device flow). */
export interface PollDeviceFlowOptions {
  webUrl: string;
  clientId: string;
  /** The answer of `startDeviceFlow` (only `deviceCode`, `interval`, `expiresIn` and `receivedAt` are used). */
  code: Pick<DeviceCode, "deviceCode" | "interval" | "expiresIn" | "receivedAt">;
  dispatcher: Dispatcher;
  /** Abort (Ctrl-C, the web page going away) to stop polling at once with an AbortedError. */
  signal?: AbortSignal | undefined;
  send?: SendHttp | undefined;
  /** Waits `ms`; must reject or return early when `signal` aborts. Injected by tests. */
  sleep?: ((ms: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
  /** Wall clock in ms, the same clock `startDeviceFlow` used. */
  now?: (() => number) | undefined;
  /** Told about each slow_down, with the new interval in seconds. */
  onSlowDown?: ((intervalSeconds: number) => void) | undefined;
}

/** The access token GitHub granted (GitHub App tokens may also carry an expiry and a refresh token). */
export interface DeviceFlowToken {
  accessToken: string;
  tokenType: string;
  scope: string;
  /** Seconds until the access token expires, when GitHub says so (GitHub App user tokens). */
  expiresIn: number | undefined;
  refreshToken: string | undefined;
  refreshTokenExpiresIn: number | undefined;
}

const successSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().default("bearer"),
  scope: z.string().default(""),
  expires_in: z.coerce.number().optional(),
  refresh_token: z.string().optional(),
  refresh_token_expires_in: z.coerce.number().optional(),
});

const errorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  interval: z.coerce.number().min(0).optional(),
});

/** Consecutive network errors or 5xx answers tolerated while polling before giving up. */
export const MAX_TRANSIENT_FAILURES = 3;

function isTransient(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof TimeoutError;
}

/** RFC 8628 §3.5: a slow_down raises the interval by 5 seconds for the rest of the flow. */
export const SLOW_DOWN_STEP_SECONDS = 5;

async function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch {
    // Aborted: the caller checks the signal right after.
  }
}

function cancelled(): AbortedError {
  return new AbortedError("Sign-in was cancelled; nothing was stored.");
}

/**
 * Step 2 of the device flow: poll `POST {web}/login/oauth/access_token` every `interval` seconds until the user
 * approves, a terminal error arrives, the code's `expires_in` deadline passes, or `signal` aborts (spec §2).
 */
export async function pollDeviceFlow(options: PollDeviceFlowOptions): Promise<DeviceFlowToken> {
  const { webUrl, clientId, code, signal } = options;
  const send = options.send ?? defaultSendHttp;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const deadline = code.receivedAt + code.expiresIn * 1000;
  let intervalSeconds = code.interval;
  let transientFailures = 0;

  for (;;) {
    if (signal?.aborted) throw cancelled();
    // Never sleep past the deadline: wake up at it and report the expiry.
    await sleep(Math.max(0, Math.min(intervalSeconds * 1000, deadline - now())), signal);
    if (signal?.aborted) throw cancelled();
    if (now() >= deadline) throw deviceFlowErrorFrom("expired_token", undefined, { clientId, webUrl });

    let response: HttpResponse;
    let answer: Record<string, unknown> | undefined;
    try {
      response = await send({
        ...oauthPost(
          `${webUrl}/login/oauth/access_token`,
          { client_id: clientId, device_code: code.deviceCode, grant_type: DEVICE_GRANT_TYPE },
          signal,
        ),
        dispatcher: options.dispatcher,
      });
      answer = await readOAuthAnswer(response);
    } catch (error) {
      // A dropped connection mid-wait should not throw away a code the user may be typing right now.
      if (isTransient(error) && ++transientFailures <= MAX_TRANSIENT_FAILURES) continue;
      throw error;
    }
    if (response.statusCode >= 500 && !(answer && "error" in answer)) {
      if (++transientFailures <= MAX_TRANSIENT_FAILURES) continue;
      throw new DeviceFlowError(
        "device_flow_failed",
        `${webUrl}/login/oauth/access_token kept failing (HTTP ${response.statusCode}); run \`copilot-gateway login\` again later.`,
      );
    }
    transientFailures = 0;
    const success = successSchema.safeParse(answer);
    if (success.success) {
      const data = success.data;
      return {
        accessToken: data.access_token,
        tokenType: data.token_type,
        scope: data.scope,
        expiresIn: data.expires_in,
        refreshToken: data.refresh_token,
        refreshTokenExpiresIn: data.refresh_token_expires_in,
      };
    }
    const failure = errorSchema.safeParse(answer);
    if (!failure.success) {
      throw new DeviceFlowError(
        "device_flow_failed",
        `${webUrl}/login/oauth/access_token answered HTTP ${response.statusCode} without a token or an error; check COPILOT_GATEWAY_GITHUB_URL or your proxy.`,
      );
    }
    const { error, error_description: description, interval } = failure.data;
    if (error === "authorization_pending") continue;
    if (error === "slow_down") {
      intervalSeconds = interval ?? intervalSeconds + SLOW_DOWN_STEP_SECONDS;
      options.onSlowDown?.(intervalSeconds);
      continue;
    }
    throw deviceFlowErrorFrom(error, description, { clientId, webUrl });
  }
}
