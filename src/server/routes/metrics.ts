import type { FastifyInstance } from "fastify";
import type { GatewayContext } from "../create-server.js";

/**
 * `GET /metrics` in the Prometheus text format, only when `--metrics` is on. It is not public: with API keys set,
 * a scraper presents one like any client (Prometheus `authorization` / `bearer_token`). Kept out of the logs.
 */
export function metricsRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const metrics = ctx.runtime.metrics;
  if (!metrics) return;
  app.get("/metrics", { config: { quiet: true } }, async (_request, reply) => {
    const text = await metrics.text();
    return reply.type(metrics.contentType).send(text);
  });
}
