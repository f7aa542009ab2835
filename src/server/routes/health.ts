import type { FastifyInstance } from "fastify";
import type { GatewayContext } from "../create-server.js";

/** Liveness and readiness, open without the API key and revealing nothing but state. */
export function healthRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get("/healthz", { config: { public: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { config: { public: true } }, async (_request, reply) => {
    const notReady = ctx.runtime.notReadyReason?.();
    if (notReady) return reply.code(503).send({ status: "not_ready", reason: notReady });
    // A team gateway has no session of its own: each person's comes with their first request.
    if (ctx.runtime.team) return { status: "ready" };
    const session = ctx.runtime.session();
    if (!session) return reply.code(503).send({ status: "not_ready", reason: "not_signed_in" });
    const state = session.tokens.state();
    if (!state.ready) return reply.code(503).send({ status: "not_ready", reason: "no_copilot_token" });
    return { status: "ready" };
  });
}
