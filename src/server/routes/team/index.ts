import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import type { TeamGateway } from "../../../team/team-gateway.js";
import type { GatewayRoutes } from "../../create-server.js";
import { registerUiAssets, type UiAsset } from "../page/static.js";
import { teamApiRoutes } from "./team-api.js";

const TEAM_ASSETS = [
  { route: "/", file: "team.html", type: "text/html; charset=utf-8" },
  { route: "/ui/team.js", file: "team.js", type: "text/javascript; charset=utf-8" },
  { route: "/ui/style.css", file: "style.css", type: "text/css; charset=utf-8" },
] as const;

async function loadTeamAssets(
  dir: URL = new URL("../../ui/", import.meta.url),
): Promise<Map<string, UiAsset>> {
  const assets = new Map<string, UiAsset>();
  for (const a of TEAM_ASSETS) {
    const body = await readFile(new URL(a.file, dir));
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    assets.set(a.route, { body, type: a.type, etag });
  }
  return assets;
}

async function teamPagePlugin(app: FastifyInstance, opts: { team: TeamGateway }): Promise<void> {
  // Like the single-user page: no personal key needed to load the page or sign in (the calls check the session
  // cookie themselves), out of the request log, with their own origin rule.
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, public: true, quiet: true, ownOriginCheck: true };
  });
  registerUiAssets(app, await loadTeamAssets());
  await app.register(teamApiRoutes, { prefix: "/team/api", team: opts.team });
}

/** The team gateway's page (`/`) and its API (`/team/api/*`), over the runtime's TeamGateway. */
export function teamPageRoutes(): GatewayRoutes {
  return async (app, ctx) => {
    const team = ctx.runtime.team;
    if (!team) throw new Error("teamPageRoutes needs a runtime with a TeamGateway");
    await app.register(teamPagePlugin, { team });
  };
}
