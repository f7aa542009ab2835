import type { FastifyInstance } from "fastify";
import type { PageBackend } from "../../../web/page-backend.js";
import { LIVE_LOG_LIMITS, LiveLogBroadcast } from "./live-log-broadcast.js";

/**
 * `GET /api/page/events`: the live request log as server-sent events. First a `snapshot` of the recent rows (and
 * the current `limits`), then, once per tick, the `request` rows since the last one (a `skipped` count first when
 * there were more than a tick carries) and any new `limits` / `limit-warning`. Open streams are ended when the
 * gateway closes.
 */
export function registerPageEvents(app: FastifyInstance, backend: PageBackend): void {
  const broadcast = new LiveLogBroadcast(backend);

  // preClose: before the server stops listening, which would otherwise wait for these endless responses.
  app.addHook("preClose", async () => broadcast.closeAll());

  app.get("/events", (_req, reply) => {
    if (broadcast.full) {
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
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    });
    broadcast.join(reply.raw);
  });
}
