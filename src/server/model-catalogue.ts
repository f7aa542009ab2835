import { z } from "zod";
import type { CopilotSession } from "../copilot/session.js";
import { sendToCopilot } from "../copilot/transport.js";

/**
 * The gateway's view of Copilot's `/models`, fetched once and cached (the hot path never fetches it). Parsed
 * leniently: a model that fails the schema is skipped, and unknown fields are kept for `/v1/models`.
 */
export const catalogueModelSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  vendor: z.string().optional(),
  version: z.string().optional(),
  preview: z.boolean().optional(),
  model_picker_enabled: z.boolean().optional(),
  is_chat_default: z.boolean().optional(),
  supported_endpoints: z.array(z.string()).optional(),
  policy: z.looseObject({ state: z.string().optional() }).optional(),
  capabilities: z
    .looseObject({
      type: z.string().optional(),
      family: z.string().optional(),
      supports: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

export type CatalogueModel = z.infer<typeof catalogueModelSchema>;

export interface Catalogue {
  models: CatalogueModel[];
  byId: Map<string, CatalogueModel>;
  fetchedAt: number;
}

export function parseCatalogue(json: unknown, now = Date.now()): Catalogue {
  const data = (json as { data?: unknown } | null)?.data;
  const models: CatalogueModel[] = [];
  const byId = new Map<string, CatalogueModel>();
  if (Array.isArray(data)) {
    for (const raw of data) {
      const parsed = catalogueModelSchema.safeParse(raw);
      // An id can appear twice in Copilot's list: keep the first.
      if (!parsed.success || byId.has(parsed.data.id)) continue;
      models.push(parsed.data);
      byId.set(parsed.data.id, parsed.data);
    }
  }
  return { models, byId, fetchedAt: now };
}

/** True when Copilot serves this model at `endpoint` (a missing list means the classic chat endpoint only). */
export function supportsEndpoint(model: CatalogueModel | undefined, endpoint: string): boolean {
  const list = model?.supported_endpoints;
  if (!list) return endpoint === "/chat/completions";
  return list.includes(endpoint);
}

/** Caches the catalogue per session with a TTL; concurrent callers share one fetch. */
export class ModelCatalogue {
  readonly #session: CopilotSession;
  readonly #ttlMs: number;
  #current: Catalogue | undefined;
  #inflight: Promise<Catalogue> | undefined;

  constructor(session: CopilotSession, ttlMs = 10 * 60_000) {
    this.#session = session;
    this.#ttlMs = ttlMs;
  }

  /** The cached catalogue when fresh, else a fetch (shared). `force` refetches. */
  async get(force = false): Promise<Catalogue> {
    const current = this.#current;
    if (!force && current && Date.now() - current.fetchedAt < this.#ttlMs) return current;
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    // A stale catalogue still answers while a refresh runs, so no request waits on the refresh.
    if (!force && current) {
      this.#inflight.catch(() => undefined);
      return current;
    }
    return this.#inflight;
  }

  /** The cached catalogue if any, without waiting. */
  peek(): Catalogue | undefined {
    return this.#current;
  }

  async #fetch(): Promise<Catalogue> {
    const response = await sendToCopilot(this.#session, { method: "GET", path: "/models" });
    const json = (await response.body.json()) as unknown;
    this.#current = parseCatalogue(json);
    return this.#current;
  }
}
