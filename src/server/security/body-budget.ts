import { Transform } from "node:stream";
import { GatewayError } from "../../errors.js";

/** Refused because request bodies in flight already hold the gateway's memory budget: retry shortly. */
export class BodyBudgetError extends GatewayError {
  readonly retryAfterSeconds = 1;
  constructor(budgetBytes: number) {
    super(
      "gateway_busy",
      `The gateway is already holding ${Math.round(budgetBytes / 1024 / 1024)} MB of request bodies in flight (its memory budget); retry in a moment.`,
      { status: 503 },
    );
  }
}

/**
 * Bounds the bytes of request bodies held at once across all concurrent requests (each body is buffered whole,
 * and parsing holds about three times its size). A request is charged its Content-Length before any byte is read
 * (refused at once when that cannot fit), or, when chunked, as its bytes arrive; the charge is released when its
 * answer closes.
 */
export class BodyBudget {
  readonly budgetBytes: number;
  #inFlight = 0;

  constructor(budgetBytes: number) {
    this.budgetBytes = budgetBytes;
  }

  get inFlightBytes(): number {
    return this.#inFlight;
  }

  /** Charge `bytes`, or return the refusal when they do not fit. */
  charge(bytes: number): BodyBudgetError | undefined {
    if (bytes > 0 && this.#inFlight + bytes > this.budgetBytes) return new BodyBudgetError(this.budgetBytes);
    this.#inFlight += bytes;
    return undefined;
  }

  release(bytes: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - bytes);
  }

  /** A pass-through that charges each chunk of a body sent without Content-Length; `charged` counts them. */
  meter(charged: { bytes: number }): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        const refused = this.charge(chunk.length);
        if (refused) return callback(refused);
        charged.bytes += chunk.length;
        callback(null, chunk);
      },
    });
  }
}
