import type { FastifyInstance, FastifyRequest } from "fastify";
import { GatewayError } from "../../errors.js";
import type { GatewayContext } from "../create-server.js";
import { ApiKeyCheck } from "../security/api-key.js";

function metricsRefused(message: string, status: number): GatewayError {
  return new GatewayError(status === 401 ? "invalid_api_key" : "admin_only", message, { status });
}

/**
 * Team mode: `/metrics` is read with `--metrics-token`, or with the personal key of an admin (`--admin`). It is
 * never admitted like a model request (no rate limit, no Copilot session): only the bearer is checked.
 */
async function checkTeamScraper(ctx: GatewayContext, request: FastifyRequest): Promise<void> {
  const team = ctx.runtime.team;
  if (!team) return;
  const presented = ApiKeyCheck.presented(request.headers);
  const token = ctx.options.metricsToken;
  if (token && new ApiKeyCheck([token]).accepts(presented)) return;
  const how = `send ${token ? "the --metrics-token or " : ""}an admin's personal key as \`Authorization: Bearer <key>\``;
  let owner: Awaited<ReturnType<typeof team.authenticate>>;
  try {
    owner = await team.authenticate(presented, "");
  } catch {
    throw metricsRefused(`/metrics needs a bearer token: ${how}.`, 401);
  }
  if (!team.isAdmin(owner.user.login))
    throw metricsRefused(
      `${owner.user.login} is not an admin of this gateway; to read /metrics ${how}.`,
      403,
    );
}

/**
 * `GET /metrics` in the Prometheus text format, only when `--metrics` is on. It is not public: with API keys set,
 * a scraper presents one like any client (Prometheus `authorization` / `bearer_token`); in team mode, see
 * checkTeamScraper. Kept out of the logs.
 */
export function metricsRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const metrics = ctx.runtime.metrics;
  if (!metrics) return;
  const team = ctx.runtime.team !== undefined;
  app.get(
    "/metrics",
    {
      // In team mode the personal-key admission is skipped (public) and the scraper's bearer checked here instead.
      config: { quiet: true, ...(team && { public: true }) },
      ...(team && { onRequest: async (request: FastifyRequest) => checkTeamScraper(ctx, request) }),
    },
    async (_request, reply) => {
      const text = await metrics.text();
      return reply.type(metrics.contentType).send(text);
    },
  );
}
