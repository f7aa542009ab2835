import { EventEmitter } from "node:events";

/**
 * What a Copilot session reports as it works, for metrics and logs: retries and their reason, upstream error
 * answers by code, token exchanges and background refresh failures. Emitting with no listener costs nothing.
 */
export type SessionEventMap = {
  /** A request is sent again: `status:<n>` or `connection`. */
  retry: [reason: string];
  /** Copilot answered an error (after retries), with our code for it. */
  upstreamError: [code: string, status: number];
  tokenExchange: [];
  refreshFailure: [];
};

export class SessionEvents extends EventEmitter<SessionEventMap> {}
