import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";

/** The page's three files; the build copies `src/server/ui` next to the compiled server. */
const ASSETS = [
  { route: "/", file: "index.html", type: "text/html; charset=utf-8" },
  { route: "/ui/app.js", file: "app.js", type: "text/javascript; charset=utf-8" },
  { route: "/ui/style.css", file: "style.css", type: "text/css; charset=utf-8" },
] as const;

/** Everything the page loads comes from this origin; it is never framed. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export interface UiAsset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Read the assets once at start: they are a few kilobytes and never change while the gateway runs. */
export async function loadUiAssets(
  dir: URL = new URL("../../ui/", import.meta.url),
): Promise<Map<string, UiAsset>> {
  const assets = new Map<string, UiAsset>();
  for (const a of ASSETS) {
    const body = await readFile(new URL(a.file, dir));
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    assets.set(a.route, { body, type: a.type, etag });
  }
  return assets;
}

/**
 * Serve the page. `no-cache` with an ETag: the browser revalidates each load and gets a tiny 304 while the files
 * are unchanged, and never runs a stale page after an upgrade.
 */
export function registerUiAssets(app: FastifyInstance, assets: Map<string, UiAsset>): void {
  for (const [route, asset] of assets) {
    app.get(route, (req, reply) => {
      reply
        .header("content-type", asset.type)
        .header("cache-control", "no-cache")
        .header("etag", asset.etag)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer");
      if (asset.type.startsWith("text/html")) {
        reply.header("content-security-policy", PAGE_CSP).header("x-frame-options", "DENY");
      }
      if (req.headers["if-none-match"] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body);
    });
  }
}
