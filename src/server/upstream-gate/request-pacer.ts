import { AbortedError, GatewayError } from "../../errors.js";
import type { UpstreamGate } from "./upstream-call.js";

/** How many requests `--wait` holds at most; one more is refused (429) instead of waiting for ever. */
export const DEFAULT_PACER_QUEUE = 100;

export interface RequestPacerOptions {
  /** Minimum time between two model requests going upstream (`serve --rate-limit SECONDS`). */
  intervalMs: number;
  /** Queue requests that come too early (`--wait`) instead of answering 429. */
  wait: boolean;
  /** Most requests waiting at once with `wait` (default DEFAULT_PACER_QUEUE). */
  maxQueue?: number | undefined;
  /** Monotonic clock in ms (tests may pass their own). */
  now?: (() => number) | undefined;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;
/** Retry-After is whole seconds, rounded up, and never 0 (that would invite an immediate retry). */
const retryAfter = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/**
 * A minimum gap between model requests to Copilot, for the whole gateway (as the best-known peer does it): one
 * request goes upstream, the next not before `intervalMs` later. Without `wait` an early request gets 429 with
 * Retry-After (the seconds until the next free slot); with `wait` it queues, first come first served, and goes when
 * its slot comes. A queued request whose client leaves is dropped from the queue and never sent.
 */
export class RequestPacer {
  readonly #interval: number;
  readonly #wait: boolean;
  readonly #maxQueue: number;
  readonly #now: () => number;
  readonly #queue: Waiter[] = [];
  /** When the last request was let through, or undefined before the first. */
  #last: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RequestPacerOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError("intervalMs must be greater than 0");
    this.#interval = options.intervalMs;
    this.#wait = options.wait;
    this.#maxQueue = options.maxQueue ?? DEFAULT_PACER_QUEUE;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Requests waiting for their slot now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The pacer as a gate for the gateway's runtime. */
  readonly gate: UpstreamGate = (_call, signal) => this.acquire(signal);

  /** Resolves when this request may go upstream (its slot is then taken), or rejects (429, or the client left). */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new AbortedError("The client disconnected."));
    const now = this.#now();
    const wait = this.#untilFree(now);
    if (this.#queue.length === 0 && wait <= 0) {
      this.#last = now;
      return Promise.resolve();
    }
    if (!this.#wait) return Promise.reject(this.#tooEarly(wait));
    if (this.#queue.length >= this.#maxQueue) return Promise.reject(this.#queueFull(wait));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          if (this.#queue.length === 0) this.#stopTimer();
          reject(
            new AbortedError("The client disconnected while its request waited for its --rate-limit slot."),
          );
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /** Refuse everything still waiting (the gateway is shutting down). */
  close(
    error: unknown = new GatewayError("shutting_down", "The gateway is shutting down.", { status: 503 }),
  ) {
    this.#stopTimer();
    for (const waiter of this.#queue.splice(0)) {
      waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.reject(error);
    }
  }

  #untilFree(now: number): number {
    return this.#last === undefined ? 0 : this.#last + this.#interval - now;
  }

  #schedule(): void {
    if (this.#timer || this.#queue.length === 0) return;
    const delay = Math.max(0, Math.ceil(this.#untilFree(this.#now())));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = this.#now();
      // Timers may fire a hair early against the monotonic clock: never let a request through before its slot.
      if (this.#untilFree(now) > 0) return this.#schedule();
      const next = this.#queue.shift();
      if (next) {
        next.signal.removeEventListener("abort", next.onAbort);
        this.#last = now;
        next.resolve();
      }
      this.#schedule();
    }, delay);
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tooEarly(untilFreeMs: number): GatewayError {
    const after = retryAfter(untilFreeMs);
    return new GatewayError(
      "gateway_rate_limited",
      `This gateway sends at most one model request to Copilot every ${seconds(this.#interval)} (serve --rate-limit); the next slot is in ${after} s. Retry then, or start serve with --wait to queue requests instead.`,
      { status: 429, headers: { "retry-after": after } },
    );
  }

  #queueFull(untilFreeMs: number): GatewayError {
    const after = retryAfter(untilFreeMs);
    return new GatewayError(
      "rate_limit_queue_full",
      `The gateway's queue of requests waiting for their --rate-limit slot is full (${this.#maxQueue} waiting, one sent every ${seconds(this.#interval)}); retry in ${after} s.`,
      { status: 429, headers: { "retry-after": after } },
    );
  }
}
