import type { CopilotClient } from "../copilot/client.js";

/** The person a team gateway admitted a request for (by their personal key). */
export interface RequestPerson {
  login: string;
  keyId: string;
  /** Ends the person's concurrency slot; called once when the response closes. */
  done: () => void;
}

/** Per-request facts the handlers fill in and the log line reads when the response closes. */
export interface RequestFacts {
  start: number;
  time: number;
  /** The raw JSON body bytes, forwarded upstream untouched when nothing in them needs changing. */
  rawBody: Buffer | undefined;
  model: string | undefined;
  stream: boolean;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Input tokens served from Copilot's prompt cache (part of inputTokens). */
  cachedTokens: number | undefined;
  /** `X-Initiator` of the upstream request: `user` requests are the ones billed as premium requests. */
  initiator: "user" | "agent" | undefined;
  /** Milliseconds from arrival until the answer's head was sent. */
  firstByteMs: number | undefined;
  /** Copilot's HTTP status for this request, when it answered. */
  upstreamStatus: number | undefined;
  /** Called when the answer starts streaming (the open-streams gauge), when metrics are on. */
  onStreamStart: (() => void) | undefined;
  error: string | undefined;
  errorMessage: string | undefined;
  upstreamRequestId: string | undefined;
  /** Team gateway: whose request this is. */
  person?: RequestPerson | undefined;
  /** Team gateway: the person's (or the organisation's) Copilot client, used instead of the runtime's. */
  client?: CopilotClient | undefined;
  /** Aborted when the client leaves before its answer is complete (created on first use, see clientAbortSignal). */
  abort: AbortController | undefined;
  /** Bytes of this request's body charged to the gateway's body budget (released when the answer closes). */
  bodyCharge: { bytes: number };
}

export function newRequestFacts(): RequestFacts {
  return {
    start: performance.now(),
    time: Date.now(),
    rawBody: undefined,
    model: undefined,
    stream: false,
    inputTokens: undefined,
    outputTokens: undefined,
    cachedTokens: undefined,
    initiator: undefined,
    firstByteMs: undefined,
    upstreamStatus: undefined,
    onStreamStart: undefined,
    error: undefined,
    errorMessage: undefined,
    upstreamRequestId: undefined,
    abort: undefined,
    bodyCharge: { bytes: 0 },
  };
}

declare module "fastify" {
  interface FastifyRequest {
    facts: RequestFacts;
  }
  interface FastifyContextConfig {
    /** Served without the API key (health checks, the page's static assets). */
    public?: boolean;
    /** Left out of the request log and the live log (the web page's own assets and polling). */
    quiet?: boolean;
    /** The route applies its own browser-origin rule (the page), instead of the API routes' cross-site rule. */
    ownOriginCheck?: boolean;
  }
}
