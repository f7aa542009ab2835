import { setTimeout as delay } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { AbortedError, ConnectionError, TimeoutError } from "../../errors.js";
import type { HttpResponse } from "../../http/request.js";
import { DeviceFlowError, deviceFlowErrorFrom } from "./device-flow-error.js";
import type { SendHttp } from "./oauth-answer.js";
import {
  type DeviceFlowToken,
  readDevicePoll,
  requestDeviceToken,
  unreadableAnswerError,
} from "./poll-device-flow-once.js";
import type { DeviceCode } from "./start-device-flow.js";

export { DEVICE_GRANT_TYPE, type DeviceFlowToken, SLOW_DOWN_STEP_SECONDS } from "./poll-device-flow-once.js";

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

/** Consecutive network errors or 5xx answers tolerated while polling before giving up. */
export const MAX_TRANSIENT_FAILURES = 3;

function isTransient(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof TimeoutError;
}

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
      ({ response, answer } = await requestDeviceToken({ ...options, deviceCode: code.deviceCode }));
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
    const step = readDevicePoll(answer, { webUrl, clientId, intervalSeconds });
    if (step.status === "granted") return step.token;
    if (step.status === "unreadable") throw unreadableAnswerError(webUrl, response.statusCode);
    if (step.status === "slow_down") {
      intervalSeconds = step.intervalSeconds;
      options.onSlowDown?.(intervalSeconds);
    }
  }
}
