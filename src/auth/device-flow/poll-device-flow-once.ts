import type { Dispatcher } from "undici";
import { z } from "zod";
import { DeviceFlowError, deviceFlowErrorFrom } from "./device-flow-error.js";
import { defaultSendHttp, oauthPost, readOAuthAnswer, type SendHttp } from "./oauth-answer.js";
import { DEVICE_GRANT_TYPE, type DeviceFlowToken, SLOW_DOWN_STEP_SECONDS } from "./poll-device-flow.js";

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

/**
 * A single `POST {web}/login/oauth/access_token` (spec §2), for a flow whose state lives elsewhere (the team
 * gateway keeps it in its store so any replica can take the next poll). The caller keeps to the interval.
 */
export async function pollDeviceFlowOnce(options: PollDeviceFlowOnceOptions): Promise<DevicePollStep> {
  const { webUrl, clientId } = options;
  const send = options.send ?? defaultSendHttp;
  const response = await send({
    ...oauthPost(
      `${webUrl}/login/oauth/access_token`,
      { client_id: clientId, device_code: options.deviceCode, grant_type: DEVICE_GRANT_TYPE },
      options.signal,
    ),
    dispatcher: options.dispatcher,
  });
  const answer = await readOAuthAnswer(response);
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
  if (!failure.success) {
    // A 5xx page or a proxy's answer: not the end of the flow, the next poll may get through.
    if (response.statusCode >= 500) return { status: "pending" };
    throw new DeviceFlowError(
      "device_flow_failed",
      `${webUrl}/login/oauth/access_token answered HTTP ${response.statusCode} without a token or an error; check COPILOT_GATEWAY_GITHUB_URL or your proxy.`,
    );
  }
  const { error, error_description: description, interval } = failure.data;
  if (error === "authorization_pending") return { status: "pending" };
  if (error === "slow_down") {
    return {
      status: "slow_down",
      intervalSeconds: interval ?? options.intervalSeconds + SLOW_DOWN_STEP_SECONDS,
    };
  }
  throw deviceFlowErrorFrom(error, description, { clientId, webUrl });
}
