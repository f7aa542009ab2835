import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { pagePlugin } from "../../src/server/routes/page/index.js";
import type { PageBackend, RequestLogSource } from "../../src/web/page-backend.js";
import type { RequestLogView } from "../../src/web/page-types.js";

/** A request log the test can feed by hand, with the same contract as the gateway's. */
export class ManualRequestLog implements RequestLogSource {
  readonly entries: RequestLogView[] = [];
  readonly #listeners = new Set<(entry: RequestLogView) => void>();

  recent(): RequestLogView[] {
    return [...this.entries];
  }

  subscribe(listener: (entry: RequestLogView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  push(entry: RequestLogView): void {
    this.entries.push(entry);
    for (const l of this.#listeners) l(entry);
  }
}

/** The page plugin alone on a real loopback port. */
export async function startPageServer(
  backend: PageBackend,
): Promise<{ app: FastifyInstance; url: string; host: string }> {
  const app = Fastify({ logger: false });
  await app.register(pagePlugin, { backend });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` };
}
