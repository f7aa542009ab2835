import type { FastifyInstance } from "fastify";
import type { PageBackend } from "../../../web/page-backend.js";
import { pageApiRoutes } from "./api.js";
import { loadUiAssets, registerUiAssets } from "./static.js";

export interface PagePluginOptions {
  backend: PageBackend;
}

/** The gateway's own web page: `/` and `/ui/*` (static) and `/api/page/*` (its API). */
export async function pagePlugin(app: FastifyInstance, opts: PagePluginOptions): Promise<void> {
  registerUiAssets(app, await loadUiAssets());
  await app.register(pageApiRoutes, { prefix: "/api/page", backend: opts.backend });
}
