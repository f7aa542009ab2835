import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { describeError, GatewayError, isGatewayError, UsageError } from "../../../errors.js";
import { redactSecrets } from "../../../util/redact.js";
import { type PageBackend, requireSession } from "../../../web/page-backend.js";
import { checkPageApiKey, checkPageOrigin } from "../../../web/page-security.js";
import type { PageErrorBody, PageStateView } from "../../../web/page-types.js";
import { gatewaySnippets } from "../../../web/snippets.js";
import { accountView, toCopilotTokenView } from "../../../web/views.js";
import { registerPageEvents } from "./events.js";

const modelParamsSchema = z.object({ id: z.string().min(1).max(200) });

/** The origin the browser used to reach us (the Host check has already vetted the Host header). */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? "127.0.0.1"}`;
}

function errorBody(error: unknown): { status: number; body: PageErrorBody } {
  if (isGatewayError(error)) {
    // An upstream 401/403 must not look like "wrong API key" to the page: relay upstream failures as 502.
    const status = error.status === 401 && !error.code.includes("api_key") ? 502 : error.status;
    return { status, body: { error: { code: error.code, message: describeError(error) } } };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode < 500) {
    return {
      status: fastifyError.statusCode,
      body: {
        error: { code: "bad_request", message: redactSecrets(fastifyError.message ?? "Bad request.") },
      },
    };
  }
  return { status: 500, body: { error: { code: "unexpected", message: describeError(error) } } };
}

/** Abort upstream work when the browser goes away. */
function requestSignal(_req: FastifyRequest, reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  return abort.signal;
}

/**
 * `/api/page/*`: the page's own API. Registered in its own encapsulated scope so its checks (same origin, custom
 * header on state changes, API key) and its error shape apply to these routes only.
 */
export async function pageApiRoutes(app: FastifyInstance, opts: { backend: PageBackend }): Promise<void> {
  const { backend } = opts;

  app.addHook("onRequest", async (req, reply) => {
    reply.header("cache-control", "no-store");
    const stateChanging = req.method !== "GET" && req.method !== "HEAD";
    checkPageOrigin(req.headers, { stateChanging });
    checkPageApiKey(req.headers, backend.apiKeys);
  });

  app.setErrorHandler((error, req, reply) => {
    const { status, body } = errorBody(error);
    if (status >= 500) req.log.warn({ code: body.error.code }, body.error.message);
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: "not_found", message: `No page API ${req.method} ${req.url}.` } }),
  );

  app.get("/state", async (req, reply): Promise<PageStateView> => {
    const session = backend.session();
    const claudeCodeModels = session
      ? await backend.claudeCodeModels(session, requestSignal(req, reply))
      : undefined;
    return {
      signedIn: session !== undefined,
      host: backend.settings.endpoints.host,
      account: session ? accountView(session.credential.describe()) : null,
      copilotToken: session ? toCopilotTokenView(session.tokens.state()) : null,
      signIn: backend.signIn.state(),
      snippets: gatewaySnippets({
        origin: requestOrigin(req),
        apiKeyRequired: backend.apiKeys.length > 0,
        claudeCodeModels,
      }),
    };
  });

  app.post("/login", async () => {
    if (backend.session()) {
      throw new GatewayError("already_signed_in", "Already signed in: sign out first to switch accounts.", {
        status: 409,
      });
    }
    return await backend.signIn.start();
  });

  app.get("/login", async () => backend.signIn.state());

  app.post("/login/cancel", async () => backend.signIn.cancel());

  app.post("/logout", async () => {
    backend.signIn.reset();
    const note = await backend.signOut();
    return { signedIn: false, note: note ?? null };
  });

  app.get("/history", async () => backend.history?.() ?? { days: [], models: [] });

  app.get("/usage", async (req, reply) => backend.usage(requireSession(backend), requestSignal(req, reply)));

  app.get("/models", async (req, reply) => ({
    models: await backend.listModels(requireSession(backend), requestSignal(req, reply)),
  }));

  app.post("/models/:id/enable", async (req, reply) => {
    const params = modelParamsSchema.safeParse(req.params);
    if (!params.success) throw new UsageError("A model id is required.", "invalid_model_id");
    const session = requireSession(backend);
    await backend.enableModel(session, params.data.id, requestSignal(req, reply));
    return { id: params.data.id, enabled: true };
  });

  registerPageEvents(app, backend);
}
