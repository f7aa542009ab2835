import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { FastifyReply } from "fastify";
import type { HttpResponse } from "../../http/request.js";
import { EventStreamRedactor } from "../../util/event-stream-redactor.js";

/**
 * Aborts when the client goes away before its answer is complete, so the upstream request stops at once. The
 * request's own close listener (create-server.ts) fires it: no second listener per request.
 */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const facts = reply.request.facts;
  facts.abort ??= new AbortController();
  return facts.abort.signal;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/**
 * Hijack the reply and set the head of an event stream. Headers already set on the reply (CORS, request id) are
 * kept: fastify would add them on `send`, but a hijacked reply is written raw. The head goes out with the first
 * write, in the same packet (see pipeEventStream for a stream whose first event is slow to come).
 */
export function startEventStream(
  reply: FastifyReply,
  headers: Record<string, string> = {},
  status = 200,
): ServerResponse {
  reply.hijack();
  const facts = reply.request.facts;
  if (facts) {
    facts.firstByteMs = performance.now() - facts.start;
    facts.onStreamStart?.();
  }
  const res = reply.raw;
  const head = { ...reply.getHeaders(), ...SSE_HEADERS, ...headers } as OutgoingHttpHeaders;
  res.writeHead(status, head);
  return res;
}

export interface StreamTransform {
  /** Bytes in, bytes (or text) out (empty to write nothing). */
  push(chunk: Buffer): string | Buffer;
  /** Upstream ended cleanly: anything left to write. */
  end(): string | Buffer;
  /** Upstream failed mid-stream: the event that tells the client. */
  fail(message: string): string;
}

/** Pass events through untouched but for secrets in error events (Responses, any stream that needs no normalising). */
export function passThrough(failEvent: (message: string) => string): StreamTransform {
  const redactor = new EventStreamRedactor();
  return { push: (chunk) => redactor.push(chunk), end: () => redactor.end(), fail: failEvent };
}

/** When upstream's first event takes longer than this, the client gets the response head on its own. */
const HEAD_ALONE_AFTER_MS = 50;

/**
 * Pipe an upstream SSE body to the client chunk by chunk with backpressure: one write per upstream chunk (the
 * first one carrying the response head), upstream paused only while the client's socket is full. Plain `data`
 * events rather than an async iterator: no promise and no microtask per chunk. The reply is hijacked so fastify
 * adds no per-event work. Resolves once the client has been given the end (or has gone away).
 */
export function pipeEventStream(
  reply: FastifyReply,
  upstream: HttpResponse,
  transform: StreamTransform,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<void> {
  const res = startEventStream(reply, headers);
  const body = upstream.body;
  return new Promise<void>((resolve) => {
    let headTimer: NodeJS.Timeout | undefined = setTimeout(() => {
      headTimer = undefined;
      if (!res.headersSent && !res.destroyed) res.flushHeaders();
    }, HEAD_ALONE_AFTER_MS);
    let settled = false;
    const settle = () => {
      settled = true;
      if (headTimer) clearTimeout(headTimer);
      headTimer = undefined;
      body.off("data", onData);
      res.off("drain", onDrain);
      resolve();
    };
    const fail = (reason: string) => {
      if (settled) return;
      if (!signal.aborted && !res.destroyed)
        res.end(
          transform.fail(
            `The Copilot stream broke off (${reason}); the answer is incomplete, retry the request.`,
          ),
        );
      settle();
    };
    const onDrain = () => body.resume();
    const onData = (chunk: Buffer) => {
      let out: string | Buffer;
      try {
        out = transform.push(chunk);
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
        body.destroy();
        return;
      }
      if (out.length === 0) return;
      if (headTimer) {
        clearTimeout(headTimer);
        headTimer = undefined;
      }
      if (!res.write(out)) body.pause();
    };
    res.on("drain", onDrain);
    body.on("data", onData);
    body.once("end", () => {
      if (settled) return;
      res.end(transform.end());
      settle();
    });
    body.once("error", (error: Error) => fail(error.message));
    body.once("close", () => fail("the connection closed"));
  });
}

/** Read a whole (small) upstream body; the caller decides whether to forward it as is. */
export async function readBody(upstream: HttpResponse): Promise<Buffer> {
  return Buffer.from(await upstream.body.arrayBuffer());
}
