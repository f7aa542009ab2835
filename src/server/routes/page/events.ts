import type { FastifyInstance } from "fastify";
import type { PageBackend } from "../../../web/page-backend.js";
import { formatSseEvent, SSE_KEEPALIVE } from "../../../web/sse.js";

const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/page/events`: the live request log as server-sent events. First a `snapshot` of the recent rows,
 * then one `request` event per finished request. Open streams are ended when the gateway closes.
 */
export function registerPageEvents(app: FastifyInstance, backend: PageBackend): void {
  const open = new Set<() => void>();

  // preClose: before the server stops listening, which would otherwise wait for these endless responses.
  app.addHook("preClose", async () => {
    for (const end of open) end();
  });

  app.get("/events", (_req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    });
    res.write(formatSseEvent("snapshot", { entries: backend.requestLog.recent() }));
    const unsubscribe = backend.requestLog.subscribe((entry) => {
      res.write(formatSseEvent("request", entry));
    });
    // Limits: the last snapshot at once, then each new one (after every answer that moved them) and each warning.
    const limits = backend.limits?.();
    if (limits) res.write(formatSseEvent("limits", limits));
    const stopLimits = backend.onLimits?.((event) => {
      if (event.kind === "snapshot") res.write(formatSseEvent("limits", event.snapshot));
      else res.write(formatSseEvent("limit-warning", event.warning));
    });
    const keepalive = setInterval(() => res.write(SSE_KEEPALIVE), KEEPALIVE_MS);
    keepalive.unref();
    const end = () => {
      clearInterval(keepalive);
      unsubscribe();
      stopLimits?.();
      open.delete(end);
      if (!res.writableEnded) res.end();
    };
    open.add(end);
    res.on("close", end);
  });
}
