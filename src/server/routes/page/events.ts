import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import type { PageBackend } from "../../../web/page-backend.js";
import type { RequestLogView } from "../../../web/page-types.js";
import { formatSseEvent, SSE_KEEPALIVE } from "../../../web/sse.js";

const KEEPALIVE_MS = 15_000;

/** Bounds that keep open page tabs from costing the gateway memory or throughput (README, "Safe by default"). */
export const LIVE_LOG_LIMITS = {
  /** Open live-log streams at once; one more is a 503. */
  maxSubscribers: 64,
  /** Bytes a subscriber may have waiting unsent before it is dropped (its browser reconnects with a fresh snapshot). */
  maxBufferedBytes: 256 * 1024,
  /** Rows in the snapshot a new stream starts with. */
  snapshotEntries: 50,
} as const;

/**
 * `GET /api/page/events`: the live request log as server-sent events. First a `snapshot` of the recent rows,
 * then one `request` event per finished request. Open streams are ended when the gateway closes.
 */
export function registerPageEvents(app: FastifyInstance, backend: PageBackend): void {
  const open = new Set<() => void>();
  // Each row is serialised once for every open tab, not once per tab.
  let lastEntry: RequestLogView | undefined;
  let lastFrame = "";
  const frameFor = (entry: RequestLogView): string => {
    if (entry !== lastEntry) {
      lastEntry = entry;
      lastFrame = formatSseEvent("request", entry);
    }
    return lastFrame;
  };

  // preClose: before the server stops listening, which would otherwise wait for these endless responses.
  app.addHook("preClose", async () => {
    for (const end of open) end();
  });

  app.get("/events", (_req, reply) => {
    if (open.size >= LIVE_LOG_LIMITS.maxSubscribers) {
      return reply
        .code(503)
        .header("retry-after", "5")
        .send({
          error: {
            code: "too_many_subscribers",
            message: `The live log already has ${LIVE_LOG_LIMITS.maxSubscribers} open streams; close a tab of the page and retry.`,
          },
        });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    });
    res.write(
      formatSseEvent("snapshot", {
        entries: backend.requestLog.recent().slice(-LIVE_LOG_LIMITS.snapshotEntries),
      }),
    );
    const send = (frame: string) => {
      // A tab that does not read (hidden, frozen, hostile) is dropped rather than buffered without bound.
      if (res.writableLength > LIVE_LOG_LIMITS.maxBufferedBytes) return drop(res);
      res.write(frame);
    };
    const unsubscribe = backend.requestLog.subscribe((entry) => send(frameFor(entry)));
    // Limits: the last snapshot at once, then each new one (after every answer that moved them) and each warning.
    const limits = backend.limits?.();
    if (limits) res.write(formatSseEvent("limits", limits));
    const stopLimits = backend.onLimits?.((event) => {
      if (event.kind === "snapshot") send(formatSseEvent("limits", event.snapshot));
      else send(formatSseEvent("limit-warning", event.warning));
    });
    const keepalive = setInterval(() => send(SSE_KEEPALIVE), KEEPALIVE_MS);
    keepalive.unref();
    const end = () => {
      clearInterval(keepalive);
      unsubscribe();
      stopLimits?.();
      open.delete(end);
      if (!res.writableEnded) res.end();
    };
    const drop = (stream: ServerResponse) => {
      end();
      stream.destroy();
    };
    open.add(end);
    res.on("close", end);
  });
}
