/**
 * Typed errors with stable codes. Every failure a user can hit is one of these, so the CLI can print a single
 * line and exit with a documented code, and the server can map it to an HTTP error envelope.
 */

import { redactSecrets } from "./util/redact.js";

/** Documented process exit codes (README "Exit codes"). */
export const EXIT_CODES = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notSignedIn: 3,
  tokenRejected: 4,
  noCopilotAccess: 5,
  network: 6,
  upstream: 7,
  deviceFlowExpired: 10,
  deviceFlowDenied: 11,
  deviceFlowClientInvalid: 12,
  deviceFlowDisabled: 13,
  deviceFlowBadGrant: 14,
  deviceFlowBadDeviceCode: 15,
  interrupted: 130,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface GatewayErrorOptions {
  /** Process exit code the CLI uses for this failure. */
  exitCode?: ExitCode;
  /** HTTP status the gateway answers with when this error reaches a client. */
  status?: number;
  /** HTTP headers the gateway sends with this error (e.g. `retry-after` on its own 429s). */
  headers?: Record<string, string> | undefined;
  cause?: unknown;
}

/** Base class: `code` is stable and machine-readable, `message` is the one line a user reads. */
export class GatewayError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly status: number;
  /** Headers to answer with (from `options.headers`). */
  readonly responseHeaders: Record<string, string> | undefined;

  constructor(code: string, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT_CODES.unexpected;
    this.status = options.status ?? 500;
    this.responseHeaders = options.headers;
  }
}

/** Wrong flags, arguments or configuration values. */
export class UsageError extends GatewayError {
  constructor(message: string, code = "usage") {
    super(code, message, { exitCode: EXIT_CODES.usage, status: 400 });
  }
}

/** The network could not be reached (DNS, refused, reset, TLS, proxy). */
export class ConnectionError extends GatewayError {
  readonly host: string;
  constructor(host: string, message: string, cause?: unknown) {
    super("connection_failed", message, { exitCode: EXIT_CODES.network, status: 502, cause });
    this.host = host;
  }
}

/** A request or stream went quiet for longer than allowed. */
export class TimeoutError extends GatewayError {
  constructor(message: string, cause?: unknown) {
    super("timeout", message, { exitCode: EXIT_CODES.network, status: 504, cause });
  }
}

/** The caller aborted (Ctrl-C, client disconnect). */
export class AbortedError extends GatewayError {
  constructor(message = "The request was aborted.") {
    super("aborted", message, { exitCode: EXIT_CODES.interrupted, status: 499 });
  }
}

/**
 * The person pressed Ctrl-C. Not a failure: the CLI prints the message as one calm line ("Cancelled." or
 * "Cancelled; nothing was stored."), without the "error:" prefix, and exits 130.
 */
export class InterruptedError extends GatewayError {
  constructor(detail = "") {
    super("interrupted", `Cancelled${detail}.`, { exitCode: EXIT_CODES.interrupted, status: 499 });
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** Turn anything thrown into the one line a user should read, with anything like a token masked. */
export function describeError(error: unknown): string {
  if (error instanceof GatewayError) return redactSecrets(error.message);
  if (error instanceof Error) return redactSecrets(`Unexpected error: ${error.message}`);
  return redactSecrets(`Unexpected error: ${String(error)}`);
}
