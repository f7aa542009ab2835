import { EXIT_CODES, GatewayError } from "../../errors.js";

/**
 * The shared store (Redis) cannot answer right now: down, restarting, unreachable or too slow. Requests that need
 * it fail at once with a 503 in the route's own shape (never a hang), and the replica recovers by itself when the
 * store is back, so the message tells the caller to retry rather than to change anything.
 */
export class StoreUnavailableError extends GatewayError {
  constructor(detail: string, cause?: unknown) {
    super(
      "store_unavailable",
      `The gateway's shared store is unavailable (${detail}); retry in a few seconds. Operators: check that Redis is running and reachable from every replica.`,
      { status: 503, exitCode: EXIT_CODES.network, cause },
    );
  }
}
