import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import type { CopilotSession } from "../../../copilot/session.js";
import type { GatewayContext } from "../../create-server.js";
import { invalidRequest, modelNotFound, notSignedIn } from "../../errors/gateway-errors.js";
import type { CatalogueModel } from "../../model-catalogue.js";

/** The signed-in session, or the "not signed in" error pointing at `login` and the page. */
export function requireSession(ctx: GatewayContext, request: FastifyRequest): CopilotSession {
  const session = ctx.runtime.session();
  if (!session) throw notSignedIn(`http://${request.headers.host ?? "127.0.0.1:4141"}/`);
  return session;
}

/** Validate a body against its schema; the 400 names the first offending field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw invalidRequest(`Invalid request body: ${where}${issue?.message ?? "unexpected shape"}.`);
}

/**
 * The catalogue entry for a requested model. Unknown ids get a 404 naming them (with close matches) before any
 * upstream call; when the catalogue cannot be fetched the request goes ahead and Copilot decides.
 */
export async function lookupModel(ctx: GatewayContext, id: string): Promise<CatalogueModel | undefined> {
  const catalogue = ctx.runtime.catalogue();
  if (!catalogue) return undefined;
  let models: Awaited<ReturnType<typeof catalogue.get>>;
  try {
    models = await catalogue.get();
  } catch {
    return undefined;
  }
  const model = models.byId.get(id);
  if (!model) throw modelNotFound(id, closeMatches(id, [...models.byId.keys()]));
  return model;
}

/** Up to three ids that share the most with the requested one (prefix, then edit distance). */
export function closeMatches(id: string, ids: string[]): string[] {
  const wanted = id.toLowerCase();
  return ids
    .map((candidate) => ({ candidate, score: distance(wanted, candidate.toLowerCase()) }))
    .filter(({ score, candidate }) => score <= Math.max(3, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.score - b.score)
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** An SSE `data:` event carrying an OpenAI-shaped error (OpenAI SDKs raise it as an APIError). */
export function openaiErrorEvent(message: string, code = "upstream_stream_error"): string {
  return `data: ${JSON.stringify({ error: { message, type: "api_error", param: null, code } })}\n\n`;
}
