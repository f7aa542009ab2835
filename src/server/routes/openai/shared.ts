import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { CopilotClient } from "../../../copilot/client.js";
import {
  ModelCapabilityError,
  ModelNotEnabledError,
  UnknownModelError,
} from "../../../copilot/model-errors.js";
import type { CopilotModel } from "../../../copilot/models.js";
import type { ModelPurpose } from "../../../copilot/resolve-model.js";
import type { CopilotSession } from "../../../copilot/session.js";
import { AbortedError } from "../../../errors.js";
import { type HttpResponse, headerValue } from "../../../http/request.js";
import { redactSecrets } from "../../../util/redact.js";
import type { GatewayContext } from "../../create-server.js";
import { invalidRequest, notSignedIn } from "../../errors/gateway-errors.js";
import { clientAbortSignal } from "../../http/relay.js";
import type { RequestFacts } from "../../request-context.js";
import { passUpstreamGate } from "../../upstream-gate/route-gate.js";

/** The signed-in session, or the "not signed in" error pointing at `login` and the page. */
export function requireSession(ctx: GatewayContext, request: FastifyRequest): CopilotSession {
  const session = ctx.runtime.session();
  if (!session) throw notSignedIn(`http://${request.headers.host ?? "127.0.0.1:4141"}/`);
  return session;
}

/**
 * The signed-in session's client (one per session, held by the runtime, so its model catalogue cache is shared by
 * every route), or the "not signed in" error.
 */
export function requireClient(ctx: GatewayContext, request: FastifyRequest): CopilotClient {
  const client = request.facts.client ?? ctx.runtime.client();
  if (!client) throw notSignedIn(`http://${request.headers.host ?? "127.0.0.1:4141"}/`);
  return client;
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
 * The catalogue entry for a requested model, from the client's cached catalogue. An unknown, disabled or unfit
 * model is refused before any upstream call (404/403/400 naming it). When the catalogue itself cannot be fetched,
 * the request goes ahead and Copilot decides.
 */
export async function resolveRequestModel(
  client: CopilotClient,
  id: string,
  purpose: ModelPurpose,
  signal?: AbortSignal,
): Promise<CopilotModel | undefined> {
  try {
    return await client.model(id, purpose, signal);
  } catch (error) {
    if (
      error instanceof UnknownModelError ||
      error instanceof ModelNotEnabledError ||
      error instanceof ModelCapabilityError ||
      error instanceof AbortedError
    )
      throw error;
    return undefined;
  }
}

/**
 * The body to send upstream: the client's own bytes, unless model resolution corrected the id (`gpt-4-1` →
 * `gpt-4.1`), which is the only case that pays for a re-serialisation.
 */
export function upstreamBody(
  raw: Buffer | undefined,
  body: { model: string },
  resolvedId: string | undefined,
) {
  if (resolvedId === undefined || resolvedId === body.model) return raw;
  return JSON.stringify({ ...body, model: resolvedId });
}

/** An SSE `data:` event carrying an OpenAI-shaped error (OpenAI SDKs raise it as an APIError). */
export function openaiErrorEvent(message: string, code = "upstream_stream_error"): string {
  return `data: ${JSON.stringify({ error: { message: redactSecrets(message), type: "api_error", param: null, code } })}\n\n`;
}

/**
 * Copilot's request id, kept for the verbose log and handed to the client as `x-request-id` (OpenAI SDKs expose it
 * as the request id), so a failing request can be traced upstream.
 */
export function relayRequestId(reply: FastifyReply, facts: RequestFacts, upstream: HttpResponse): void {
  const headers = upstream.headers;
  facts.upstreamStatus = upstream.statusCode;
  const id = headerValue(headers, "x-request-id") ?? headerValue(headers, "x-github-request-id");
  facts.upstreamRequestId = id;
  if (id) reply.header("x-request-id", id);
}

/** What every model route starts from: the validated body, the signed-in client, the abort signal and the model. */
export interface ModelRequest<T> {
  body: T;
  client: CopilotClient;
  facts: RequestFacts;
  signal: AbortSignal;
  model: CopilotModel | undefined;
}

/**
 * The shared start of `/chat/completions`, `/responses` and `/embeddings`: validate the body, note the model for the
 * log (before the sign-in check, so a refused request still names it), require a session, resolve the model, and
 * pass the gateway's upstream gate.
 */
export async function beginModelRequest<
  T extends z.ZodType<{ model: string; stream?: boolean | null | undefined }>,
>(
  ctx: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  schema: T,
  purpose: ModelPurpose,
  /** A route's own check of the resolved model, run before the gate so nobody is asked about a doomed request. */
  checkModel?: (model: CopilotModel) => void,
): Promise<ModelRequest<z.infer<T>>> {
  const body = parseBody(schema, request.body);
  const facts = request.facts;
  facts.model = body.model;
  const client = requireClient(ctx, request);
  facts.stream = body.stream === true;
  const signal = clientAbortSignal(reply);
  const model = await resolveRequestModel(client, body.model, purpose, signal);
  if (model) checkModel?.(model);
  // Last step before the route calls Copilot: `--manual` asks, `--rate-limit` spaces (validation errors come first).
  if (ctx.runtime.upstreamGate)
    await passUpstreamGate(ctx.runtime, request, "openai", model?.id ?? body.model, signal);
  return { body, client, facts, signal, model };
}
