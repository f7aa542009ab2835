import type { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";

/** Hop-by-hop headers of the simulated HTTP/1.1 exchange: meaningless for a `Response` built in memory. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);

/** Statuses whose response has no body (a `Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A fetch-compatible function. Typed like the global `fetch`, so SDKs' `fetch` options accept it. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function webBody(stream: Readable, raw: { destroy(error?: Error): unknown }): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Pull-based: a chunk is read only when the consumer asks, so the route's `drain` waits are the consumer's pace.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else
          controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      // The reader left (a `break` out of an SDK stream): close the simulated response so the route's abort
      // signal fires and the upstream request stops, as a real client disconnect would.
      raw.destroy();
      await chunks.return?.();
    },
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * `fetch` served by the gateway's own fastify app in process (light-my-request's inject): the same routing, body
 * validation, normalisation and translation as `copilot-gateway serve`, without a socket. Answers stream: the
 * `Response` is returned as soon as the route writes its head, and its body is read chunk by chunk as the route
 * writes. The request's `signal` (and cancelling the body) aborts the route as a client disconnect would.
 */
export function createInProcessFetch(app: () => Promise<FastifyInstance>): FetchFunction {
  return async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    if (signal.aborted) throw abortReason(signal);
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    // The Host is left to the injector (`localhost`): nothing crosses a network, so the loopback Host check that
    // guards the socket against DNS rebinding has nothing to guard here.
    request.headers.forEach((value, name) => {
      if (name !== "host") headers[name] = value;
    });
    const payload = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const server = await app();
    let injected: Awaited<ReturnType<FastifyInstance["inject"]>>;
    try {
      injected = await server.inject({
        method: request.method as "GET",
        url: `${url.pathname}${url.search}`,
        headers,
        ...(payload && { payload }),
        payloadAsStream: true,
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      throw error;
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(injected.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
    }
    const raw = injected.raw.res;
    // An abort after the head arrived is a client disconnect: close the simulated response so the route's own abort
    // signal fires and the upstream request stops.
    if (signal.aborted) raw.destroy();
    else signal.addEventListener("abort", () => raw.destroy(), { once: true });
    const stream = injected.stream();
    const noBody = NULL_BODY_STATUSES.has(injected.statusCode) || request.method === "HEAD";
    if (noBody) stream.resume();
    return new Response(noBody ? null : webBody(stream, raw), {
      status: injected.statusCode,
      statusText: injected.statusMessage,
      headers: responseHeaders,
    });
  };
}
