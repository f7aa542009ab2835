/** A model request about to go to Copilot: what `serve --manual` shows and `--rate-limit` paces. */
export interface UpstreamCall {
  /** Which API family the client spoke; errors come back in its shape. */
  api: "openai" | "anthropic";
  /** Method and path as the client sent them, e.g. `POST /v1/chat/completions`. */
  route: string;
  /** The model the request goes to (after aliases and id correction). */
  model: string;
  /** A short single-line preview of the last user message, when there is one. */
  preview: string | undefined;
  /** The client's address (X-Forwarded-For's when --trust-proxy is on). */
  clientAddress: string;
  userAgent: string | undefined;
}

/**
 * Runs just before a model request goes upstream. Resolves to let it go; rejects with a GatewayError (429 from the
 * pacer, 403 from a denial, AbortedError when the client left) to answer the client instead. Model calls only: the
 * token exchange, the model catalogue and `count_tokens` never pass a gate.
 */
export type UpstreamGate = (call: UpstreamCall, signal: AbortSignal) => Promise<void>;

/** Gates run in order: a person approves first, then the pacer spaces what was approved. */
export function combineGates(...gates: (UpstreamGate | undefined)[]): UpstreamGate | undefined {
  const present = gates.filter((gate): gate is UpstreamGate => gate !== undefined);
  if (present.length <= 1) return present[0];
  return async (call, signal) => {
    for (const gate of present) await gate(call, signal);
  };
}
