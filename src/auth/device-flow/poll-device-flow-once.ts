import type { Dispatcher } from "undici";
import { z } from "zod";
import type { HttpResponse } from "../../http/request.js";
import { DeviceFlowError, deviceFlowErrorFrom } from "./device-flow-error.js";
import { defaultSendHttp, oauthPost, readOAuthAnswer, type SendHttp } from "./oauth-answer.js";

export const DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** RFC 8628 §3.5: a slow_down raises the interval by 5 seconds for the rest of the flow. */
export const SLOW_DOWN_STEP_SECONDS = 5;

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

/** One poll's answer: keep waiting (maybe slower), or the token. Terminal errors are thrown as DeviceFlowError. */
export type DevicePollStep =
  | { status: "pending" }
  | { status: "slow_down"; intervalSeconds: number }
  | { status: "granted"; token: DeviceFlowToken };

export interface PollDeviceFlowOnceOptions {
  webUrl: string;
  clientId: string;
  deviceCode: string;
  /** The interval in force, so a slow_down without a new one can add the RFC's 5 seconds to it. */
  intervalSeconds: number;
  dispatcher: Dispatcher;
  signal?: AbortSignal | undefined;
  send?: SendHttp | undefined;
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

/** The access-token request of one poll and its parsed answer (spec §2); network errors are thrown. */
export async function requestDeviceToken(
  options: Omit<PollDeviceFlowOnceOptions, "intervalSeconds">,
): Promise<{ response: HttpResponse; answer: Record<string, unknown> | undefined }> {
  const send = options.send ?? defaultSendHttp;
  const response = await send({
    ...oauthPost(
      `${options.webUrl}/login/oauth/access_token`,
      { client_id: options.clientId, device_code: options.deviceCode, grant_type: DEVICE_GRANT_TYPE },
      options.signal,
    ),
    dispatcher: options.dispatcher,
  });
  return { response, answer: await readOAuthAnswer(response) };
}

/**
 * What one poll's answer means: the token, keep waiting (at `intervalSeconds`, raised on slow_down), or
 * `unreadable` (neither a token nor an OAuth error: a 5xx page or a proxy's answer). OAuth errors that end the
 * flow are thrown as DeviceFlowError.
 */
export function readDevicePoll(
  answer: Record<string, unknown> | undefined,
  context: { webUrl: string; clientId: string; intervalSeconds: number },
): DevicePollStep | { status: "unreadable" } {
  const success = successSchema.safeParse(answer);
  if (success.success) {
    const data = success.data;
    return {
      status: "granted",
      token: {
        accessToken: data.access_token,
        tokenType: data.token_type,
        scope: data.scope,
        expiresIn: data.expires_in,
        refreshToken: data.refresh_token,
        refreshTokenExpiresIn: data.refresh_token_expires_in,
      },
    };
  }
  const failure = errorSchema.safeParse(answer);
  if (!failure.success) return { status: "unreadable" };
  const { error, error_description: description, interval } = failure.data;
  if (error === "authorization_pending") return { status: "pending" };
  if (error === "slow_down")
    return {
      status: "slow_down",
      intervalSeconds: interval ?? context.intervalSeconds + SLOW_DOWN_STEP_SECONDS,
    };
  throw deviceFlowErrorFrom(error, description, context);
}

/** The error for an answer that is neither a token nor an OAuth error. */
export function unreadableAnswerError(webUrl: string, statusCode: number): DeviceFlowError {
  return new DeviceFlowError(
    "device_flow_failed",
    `${webUrl}/login/oauth/access_token answered HTTP ${statusCode} without a token or an error; check COPILOT_GATEWAY_GITHUB_URL or your proxy.`,
  );
}

/**
 * A single `POST {web}/login/oauth/access_token` (spec §2), for a flow whose state lives elsewhere (the team
 * gateway keeps it in its store so any replica can take the next poll). The caller keeps to the interval.
 */
export async function pollDeviceFlowOnce(options: PollDeviceFlowOnceOptions): Promise<DevicePollStep> {
  const { response, answer } = await requestDeviceToken(options);
  const step = readDevicePoll(answer, options);
  if (step.status !== "unreadable") return step;
  // A 5xx page or a proxy's answer: not the end of the flow, the next poll may get through.
  if (response.statusCode >= 500) return { status: "pending" };
  throw unreadableAnswerError(options.webUrl, response.statusCode);
}
