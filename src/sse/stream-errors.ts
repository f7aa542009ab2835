import { errors as undiciErrors } from "undici";
import { AbortedError, EXIT_CODES, GatewayError, TimeoutError } from "../errors.js";

/** The upstream stream stopped before its end (connection dropped, or no `[DONE]` / final event). */
export class StreamInterruptedError extends GatewayError {
  constructor(message = "Copilot's answer stopped mid-stream (the connection dropped); retry the request.") {
    super("stream_interrupted", message, { exitCode: EXIT_CODES.network, status: 502 });
  }
}

/** Copilot sent an `error` event or an `error` object inside a chunk after the stream had started. */
export class UpstreamStreamError extends GatewayError {
  readonly upstreamCode: string | undefined;
  readonly upstreamMessage: string;
  constructor(upstreamMessage: string, upstreamCode: string | undefined) {
    super(
      upstreamCode ?? "stream_error",
      `Copilot failed mid-answer (${upstreamCode ? `${upstreamCode}: ` : ""}${upstreamMessage}); retry the request.`,
      { exitCode: EXIT_CODES.upstream, status: 502 },
    );
    this.upstreamCode = upstreamCode;
    this.upstreamMessage = upstreamMessage;
  }
}

/** An event whose data is not the JSON the protocol promises. */
export class StreamProtocolError extends GatewayError {
  constructor(message: string) {
    super("stream_protocol_error", message, { exitCode: EXIT_CODES.upstream, status: 502 });
  }
}

/** Map a failure while reading a response body to a typed error (idle timeout, abort, dropped connection). */
export function streamReadFailure(error: unknown, signal?: AbortSignal): Error {
  if (error instanceof GatewayError) return error;
  if (signal?.aborted) return new AbortedError();
  if (error instanceof undiciErrors.BodyTimeoutError)
    return new TimeoutError(
      "Copilot went quiet in the middle of its answer (idle timeout); retry the request.",
    );
  if (error instanceof undiciErrors.RequestAbortedError || (error as { name?: string }).name === "AbortError")
    return new AbortedError();
  return new StreamInterruptedError();
}
