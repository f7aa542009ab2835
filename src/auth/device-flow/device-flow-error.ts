import { EXIT_CODES, type ExitCode, GatewayError } from "../../errors.js";

/** The RFC 8628 error codes GitHub answers, plus our own for a deadline or an unexpected answer. */
export type DeviceFlowErrorCode =
  | "expired_token"
  | "access_denied"
  | "unsupported_grant_type"
  | "incorrect_client_credentials"
  | "incorrect_device_code"
  | "device_flow_disabled"
  | "unauthorized_client"
  | "device_flow_failed";

const EXIT_BY_CODE: Record<DeviceFlowErrorCode, ExitCode> = {
  expired_token: EXIT_CODES.deviceFlowExpired,
  access_denied: EXIT_CODES.deviceFlowDenied,
  incorrect_client_credentials: EXIT_CODES.deviceFlowClientInvalid,
  unauthorized_client: EXIT_CODES.deviceFlowClientInvalid,
  device_flow_disabled: EXIT_CODES.deviceFlowDisabled,
  unsupported_grant_type: EXIT_CODES.deviceFlowBadGrant,
  incorrect_device_code: EXIT_CODES.deviceFlowBadDeviceCode,
  device_flow_failed: EXIT_CODES.upstream,
};

/** A device flow that ended without a token. `code` is GitHub's `error` (or ours), each with its own exit code. */
export class DeviceFlowError extends GatewayError {
  override readonly code: DeviceFlowErrorCode;
  /** GitHub's `error_description`, when it sent one. */
  readonly description: string | undefined;

  constructor(code: DeviceFlowErrorCode, message: string, description?: string) {
    super(code, message, { exitCode: EXIT_BY_CODE[code], status: code === "access_denied" ? 403 : 502 });
    this.code = code;
    this.description = description;
  }
}

/** Build the one-line message for a terminal device-flow error (spec §2 table: what the client should say). */
export function deviceFlowErrorFrom(
  error: string,
  description: string | undefined,
  context: { clientId: string; webUrl: string },
): DeviceFlowError {
  const { clientId, webUrl } = context;
  switch (error) {
    case "expired_token":
      return new DeviceFlowError(
        "expired_token",
        "The sign-in code expired before it was entered; run `copilot-gateway login` again.",
        description,
      );
    case "access_denied":
      return new DeviceFlowError(
        "access_denied",
        "Sign-in was cancelled in the browser (access denied); run `copilot-gateway login` to try again.",
        description,
      );
    case "incorrect_client_credentials":
    case "unauthorized_client":
      return new DeviceFlowError(
        error,
        `${webUrl} does not know the OAuth client id "${clientId}"; check --client-id / COPILOT_GATEWAY_CLIENT_ID.`,
        description,
      );
    case "device_flow_disabled":
      return new DeviceFlowError(
        "device_flow_disabled",
        `The device flow is disabled for the OAuth client id "${clientId}"; use another --client-id (default 01ab8ac9400c4e429b23).`,
        description,
      );
    case "unsupported_grant_type":
      return new DeviceFlowError(
        "unsupported_grant_type",
        `${webUrl} rejected the device-flow grant type (a copilot-gateway bug or a proxy rewriting requests); please report it.`,
        description,
      );
    case "incorrect_device_code":
      return new DeviceFlowError(
        "incorrect_device_code",
        `${webUrl} does not recognise the device code; run \`copilot-gateway login\` again.`,
        description,
      );
    default:
      return new DeviceFlowError(
        "device_flow_failed",
        `Sign-in failed: ${webUrl} answered "${error}"${description ? ` (${description})` : ""}; run \`copilot-gateway login\` again.`,
        description,
      );
  }
}
