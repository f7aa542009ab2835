import type { FastifyInstance } from "fastify";
import type { Settings } from "../../../config/settings.js";
import type { PageBackend } from "../../../web/page-backend.js";
import type { GatewayRoutes } from "../../create-server.js";
import { pageApiRoutes } from "./api.js";
import { createGatewayPageBackend } from "./backend.js";
import { loadUiAssets, registerUiAssets } from "./static.js";

export interface PagePluginOptions {
  backend: PageBackend;
}

/** The gateway's own web page: `/` and `/ui/*` (static) and `/api/page/*` (its API). */
export async function pagePlugin(app: FastifyInstance, opts: PagePluginOptions): Promise<void> {
  // The page's routes bypass the gateway-wide key check (the assets must load so the page can ask for the key;
  // the page APIs check the same keys themselves) and stay out of the request log, which they would flood. They
  // apply their own origin rule: the page opens from any link, while its API answers its own origin only.
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, public: true, quiet: true, ownOriginCheck: true };
  });
  registerUiAssets(app, await loadUiAssets());
  await app.register(pageApiRoutes, { prefix: "/api/page", backend: opts.backend });
}

/** Adds the page to a gateway: sign-in from the browser, account, models and the live log of `ctx.runtime`. */
export function webPageRoutes(settings: Settings, env: NodeJS.ProcessEnv = process.env): GatewayRoutes {
  return async (app, ctx) => {
    const backend = createGatewayPageBackend({
      runtime: ctx.runtime,
      settings,
      apiKeys: ctx.options.apiKeys,
      env,
    });
    app.addHook("onClose", () => backend.close());
    await app.register(pagePlugin, { backend });
  };
}
