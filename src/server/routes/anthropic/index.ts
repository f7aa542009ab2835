import { once } from "node:events";
import type { FastifyInstance, FastifyReply } from "fastify";
import {
  type AnthropicContext,
  type AnthropicIncoming,
  countTokens,
  createMessage,
  type MessagesOutcome,
} from "../../../anthropic/messages-service.js";
import { anthropicInitiator } from "../../../copilot/request-hints.js";
import { anthropicErrorBody } from "../../../translate/anthropic/error-envelope.js";
import type { TranslationWarning } from "../../../translate/anthropic/message-types.js";
import { EventStreamRedactor } from "../../../util/event-stream-redactor.js";
import type { GatewayContext } from "../../create-server.js";
import { type ErrorRenderer, relayedHeaders } from "../../errors/error-renderer.js";
import { clientAbortSignal, startEventStream } from "../../http/relay.js";
import { passUpstreamGate } from "../../upstream-gate/route-gate.js";
import { requireClient } from "../openai/shared.js";

/** Every error on these routes, ours or Copilot's, in Anthropic's `{type:"error", error:{type, message}}`. */
export const renderAnthropicError: ErrorRenderer = (error) => {
  const headers = relayedHeaders(error);
  return {
    status: error.status,
    ...(headers && { headers }),
    body: anthropicErrorBody(error.status, error.message),
  };
};

/** Write a relayed body with backpressure; the reply is hijacked so fastify adds no per-chunk work. */
async function relay(
  reply: FastifyReply,
  outcome: MessagesOutcome & { kind: "stream" },
  signal: AbortSignal,
) {
  const sse = outcome.contentType.includes("text/event-stream");
  // startEventStream keeps headers already set on the reply (CORS, request id) that a raw writeHead would drop.
  const res = startEventStream(reply, sse ? {} : { "content-type": outcome.contentType }, outcome.status);
  const redactor = new EventStreamRedactor();
  try {
    for await (const chunk of outcome.body) {
      const out = redactor.push(chunk);
      if (out.length > 0 && !res.write(out)) await once(res, "drain", { signal });
    }
    const tail = redactor.end();
    if (tail.length > 0) res.write(tail);
  } catch {
    // The client went away (or its socket broke): the upstream request was aborted with it.
  } finally {
    res.end();
  }
}

/**
 * The Anthropic Messages API: `POST /v1/messages` and `POST /v1/messages/count_tokens`, also without `/v1`.
 * The runtime's client of the signed-in session carries the model catalogue cache between requests.
 */
export async function anthropicRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  for (const prefix of ["/v1/messages", "/messages"]) ctx.errors.register(prefix, renderAnthropicError);

  // Each kind of translation note is logged once per model, not on every request of a long Claude Code session.
  const noted = new Set<string>();
  const onWarning = (warning: TranslationWarning & { model: string }) => {
    const key = `${warning.code}:${warning.model}`;
    if (noted.has(key) && !ctx.options.verbose) return;
    noted.add(key);
    ctx.runtime.writeLog(`anthropic: ${warning.model}: ${warning.message}`);
  };

  const register = (scope: FastifyInstance) => {
    scope.post("/messages", async (request, reply) => {
      const client = requireClient(ctx, request);
      const facts = request.facts;
      const body = request.body as { model?: unknown; stream?: unknown } | null;
      facts.model = typeof body?.model === "string" ? body.model : undefined;
      facts.stream = body?.stream === true;
      facts.initiator = anthropicInitiator((request.body as { messages?: unknown } | null)?.messages);
      const signal = clientAbortSignal(reply);
      const service: AnthropicContext = {
        client,
        modelMap: ctx.options.modelMap,
        beforeUpstream: ctx.runtime.upstreamGate
          ? (modelId) => passUpstreamGate(ctx.runtime, request, "anthropic", modelId, signal)
          : undefined,
        onWarning,
        onUsage: (usage) => {
          facts.inputTokens = usage.inputTokens;
          facts.outputTokens = usage.outputTokens;
          facts.cachedTokens = usage.cachedTokens;
        },
      };
      const incoming: AnthropicIncoming = {
        body: request.body,
        rawBody: facts.rawBody,
        headers: request.headers,
        signal,
      };
      const outcome = await createMessage(service, incoming);
      if (outcome.kind === "json") return reply.code(outcome.status).send(outcome.body);
      facts.upstreamRequestId = outcome.upstreamRequestId;
      facts.upstreamStatus = outcome.status;
      await relay(reply, outcome, signal);
      return reply;
    });

    scope.post("/messages/count_tokens", async (request) => {
      return countTokens(
        { client: request.facts.client ?? ctx.runtime.client(), modelMap: ctx.options.modelMap },
        { body: request.body, headers: request.headers },
      );
    });
  };

  for (const prefix of ["/v1", ""]) await app.register(async (scope) => register(scope), { prefix });
}
