import type { Dispatcher } from "undici";
import { z } from "zod";
import { DEFAULT_SCOPE } from "../../config/settings.js";
import { DeviceFlowError, deviceFlowErrorFrom } from "./device-flow-error.js";
import { defaultSendHttp, oauthPost, readOAuthAnswer, type SendHttp } from "./oauth-answer.js";

/** Options of startDeviceFlow (step 1 of the device flow). */
export interface StartDeviceFlowOptions {
  /** Web origin of the GitHub host, e.g. `https://github.com` (Settings.endpoints.webUrl). */
  webUrl: string;
  clientId: string;
  /** Defaults to `read:user`. */
  scope?: string | undefined;
  dispatcher: Dispatcher;
  signal?: AbortSignal | undefined;
  /** Transport; defaults to undici over `dispatcher`. */
  send?: SendHttp | undefined;
  /** Wall clock in ms; stamps `receivedAt`, from which the poll's `expires_in` deadline runs. */
  now?: (() => number) | undefined;
}

/** Step 1's answer, ready to show the user (`userCode` at `verificationUri`) and to poll with. */
export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  /** Seconds the code stays valid (GitHub: 900). */
  expiresIn: number;
  /** Seconds to wait between polls (GitHub: 5). */
  interval: number;
  /** When the answer arrived, by the `now` clock (ms). */
  receivedAt: number;
}

const answerSchema = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.string().min(1),
  expires_in: z.coerce.number().positive().default(900),
  // RFC 8628 §3.2: 5 seconds when the server names none.
  interval: z.coerce.number().min(0).default(5),
});

/** Step 1 of the device flow: `POST {web}/login/device/code` with the client id and scope (spec §2). */
export async function startDeviceFlow(options: StartDeviceFlowOptions): Promise<DeviceCode> {
  const { webUrl, clientId } = options;
  const send = options.send ?? defaultSendHttp;
  const response = await send({
    ...oauthPost(
      `${webUrl}/login/device/code`,
      { client_id: clientId, scope: options.scope ?? DEFAULT_SCOPE },
      options.signal,
    ),
    dispatcher: options.dispatcher,
  });
  const answer = await readOAuthAnswer(response);
  const receivedAt = (options.now ?? Date.now)();
  if (answer && typeof answer.error === "string") {
    const description = typeof answer.error_description === "string" ? answer.error_description : undefined;
    throw deviceFlowErrorFrom(answer.error, description, { clientId, webUrl });
  }
  if (response.statusCode === 404) {
    // GitHub answers an unknown client id at this step with a plain 404.
    throw deviceFlowErrorFrom("incorrect_client_credentials", undefined, { clientId, webUrl });
  }
  const parsed = answerSchema.safeParse(answer);
  if (response.statusCode !== 200 || !parsed.success) {
    throw new DeviceFlowError(
      "device_flow_failed",
      `${webUrl}/login/device/code answered HTTP ${response.statusCode} without a device code; check COPILOT_GATEWAY_GITHUB_URL or your proxy.`,
    );
  }
  const data = parsed.data;
  return {
    deviceCode: data.device_code,
    userCode: data.user_code,
    verificationUri: data.verification_uri,
    expiresIn: data.expires_in,
    interval: data.interval,
    receivedAt,
  };
}
