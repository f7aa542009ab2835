import { EXIT_CODES, GatewayError } from "../errors.js";

/** The store itself failed (file unreadable, schema newer than this program, backend unreachable). */
export class StoreError extends GatewayError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { exitCode: EXIT_CODES.unexpected, status: 503, cause });
  }
}
