import { once } from "node:events";
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { FastifyReply } from "fastify";
import { AbortedError } from "../../errors.js";
import type { HttpResponse } from "../../http/request.js";
import { redactErrorChunk } from "../../util/redact.js";

/** Aborts when the client goes away before its answer is complete, so the upstream request stops at once. */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new AbortedError("The client disconnected."));
  });
  return controller.signal;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/**
 * Hijack the reply and write the head of an event stream. Headers already set on the reply (CORS, request id) are
 * kept: fastify would add them on `send`, but a hijacked reply is written raw.
 */
export function startEventStream(
  reply: FastifyReply,
  headers: Record<string, string> = {},
  status = 200,
): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  const head = { ...reply.getHeaders(), ...SSE_HEADERS, ...headers } as OutgoingHttpHeaders;
  res.writeHead(status, head);
  res.flushHeaders();
  return res;
}

export interface StreamTransform {
  /** Bytes in, text or bytes out (empty to write nothing). */
  push(chunk: Buffer): string | Buffer;
  /** Upstream ended cleanly: anything left to write. */
  end(): string;
  /** Upstream failed mid-stream: the event that tells the client. */
  fail(message: string): string;
}

/** Pass events through untouched (Responses and any stream that needs no normalising). */
export function passThrough(failEvent: (message: string) => string): StreamTransform {
  return { push: redactErrorChunk, end: () => "", fail: failEvent };
}

/**
 * Pipe an upstream SSE body to the client chunk by chunk with backpressure: one write per upstream chunk, a wait
 * for `drain` only when the socket is full. The reply is hijacked so fastify adds no per-event work.
 */
export async function pipeEventStream(
  reply: FastifyReply,
  upstream: HttpResponse,
  transform: StreamTransform,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<void> {
  const res = startEventStream(reply, headers);
  try {
    for await (const chunk of upstream.body) {
      const out = transform.push(chunk as Buffer);
      if (out.length > 0 && !res.write(out)) await once(res, "drain", { signal });
    }
    res.end(transform.end());
  } catch (error) {
    if (signal.aborted || res.destroyed) {
      upstream.body.destroy();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    res.end(
      transform.fail(
        `The Copilot stream broke off (${message}); the answer is incomplete, retry the request.`,
      ),
    );
  }
}

/** Read a whole (small) upstream body; the caller decides whether to forward it as is. */
export async function readBody(upstream: HttpResponse): Promise<Buffer> {
  return Buffer.from(await upstream.body.arrayBuffer());
}
