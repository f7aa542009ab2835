import { AbortedError, GatewayError } from "../../errors.js";
import { abortable } from "../../util/abortable.js";
import type { UpstreamCall, UpstreamGate } from "./upstream-call.js";

/** What the person at the terminal answered. */
export type ApprovalAnswer = "approve" | "deny" | "approve-all";

/**
 * Asks a person about one request. `signal` aborts when that request's client leaves (or the gateway stops): the
 * question must then be withdrawn. `waiting` is how many more requests queue behind this one.
 */
export type AskApproval = (
  call: UpstreamCall,
  context: { signal: AbortSignal; waiting: number },
) => Promise<ApprovalAnswer>;

export function requestDenied(): GatewayError {
  return new GatewayError(
    "request_denied",
    "The request was denied at the gateway's terminal (serve --manual); nothing was sent to Copilot.",
    { status: 403 },
  );
}

export function shuttingDown(): GatewayError {
  return new GatewayError(
    "shutting_down",
    "The gateway is shutting down; the request was not sent to Copilot.",
    { status: 503 },
  );
}

interface Pending {
  call: UpstreamCall;
  signal: AbortSignal;
  resolve: () => void;
  reject: (error: unknown) => void;
  onAbort: () => void;
}

/**
 * `serve --manual`: before each model request goes upstream, a person approves it, denies it (403 in the route's
 * shape) or approves all (no more questions for the rest of the run). Questions come one at a time, first come first
 * asked; a request whose client leaves while it waits is dropped from the queue, or its question withdrawn.
 */
export class ManualApproval {
  readonly #ask: AskApproval;
  readonly #queue: Pending[] = [];
  readonly #stopped = new AbortController();
  #approveAll = false;
  #asking = false;

  constructor(ask: AskApproval) {
    this.#ask = ask;
  }

  /** True once someone answered "approve all". */
  get approvingAll(): boolean {
    return this.#approveAll;
  }

  /** Requests waiting for a question, the one being asked included. */
  get waiting(): number {
    return this.#queue.length + (this.#asking ? 1 : 0);
  }

  /** The approval as a gate for the gateway's runtime. */
  readonly gate: UpstreamGate = (call, signal) => this.approve(call, signal);

  approve(call: UpstreamCall, signal: AbortSignal): Promise<void> {
    if (this.#approveAll) return Promise.resolve();
    if (this.#stopped.signal.aborted) return Promise.reject(shuttingDown());
    if (signal.aborted) return Promise.reject(new AbortedError("The client disconnected."));
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        call,
        signal,
        resolve,
        reject,
        onAbort: () => {
          const index = this.#queue.indexOf(pending);
          if (index < 0) return; // being asked: the question is withdrawn by the same signal
          this.#queue.splice(index, 1);
          reject(new AbortedError("The client disconnected while its request waited for approval."));
        },
      };
      signal.addEventListener("abort", pending.onAbort, { once: true });
      this.#queue.push(pending);
      void this.#pump();
    });
  }

  /** Refuse what still waits and withdraw the open question (the gateway is shutting down). */
  close(): void {
    this.#stopped.abort();
    for (const pending of this.#queue.splice(0)) {
      pending.signal.removeEventListener("abort", pending.onAbort);
      pending.reject(shuttingDown());
    }
  }

  async #pump(): Promise<void> {
    if (this.#asking) return;
    this.#asking = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        next.signal.removeEventListener("abort", next.onAbort);
        if (this.#approveAll) {
          next.resolve();
          continue;
        }
        await this.#askOne(next);
      }
    } finally {
      this.#asking = false;
    }
  }

  async #askOne(pending: Pending): Promise<void> {
    const signal = AbortSignal.any([pending.signal, this.#stopped.signal]);
    let answer: ApprovalAnswer;
    try {
      answer = await abortable(this.#ask(pending.call, { signal, waiting: this.#queue.length }), signal);
    } catch (error) {
      if (this.#stopped.signal.aborted) pending.reject(shuttingDown());
      else if (pending.signal.aborted)
        pending.reject(new AbortedError("The client disconnected while its request waited for approval."));
      else pending.reject(error);
      return;
    }
    if (pending.signal.aborted) {
      pending.reject(new AbortedError("The client disconnected while its request waited for approval."));
      return;
    }
    if (answer === "deny") {
      pending.reject(requestDenied());
      return;
    }
    if (answer === "approve-all") this.#approveAll = true;
    pending.resolve();
  }
}
