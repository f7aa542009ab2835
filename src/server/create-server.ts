import cors from "@fastify/cors";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { CopilotApiError } from "../copilot/api-error.js";
import { AbortedError, EXIT_CODES, GatewayError } from "../errors.js";
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from "../util/json-depth.js";
import { ErrorRenderers, toGatewayError } from "./errors/error-renderer.js";
import { hostRejected, invalidApiKey, invalidRequest, routeNotFound } from "./errors/gateway-errors.js";
import { formatLogLine } from "./log-line.js";
import type { GatewayOptions } from "./options.js";
import { newRequestFacts } from "./request-context.js";
import { countsAsUsage, type RequestLogEntry } from "./request-log.js";
import { anthropicRoutes } from "./routes/anthropic/index.js";
import { healthRoutes } from "./routes/health.js";
import { metricsRoutes } from "./routes/metrics.js";
import { openaiRoutes } from "./routes/openai/index.js";
import type { GatewayRuntime } from "./runtime.js";
import { ApiKeyCheck } from "./security/api-key.js";
import { BodyBudget, BodyBudgetError } from "./security/body-budget.js";
import { crossSiteRefusal } from "./security/cross-site.js";
import { hostNameOf, isLoopbackName } from "./security/loopback.js";
import { requestTargetProblem } from "./security/request-target.js";

/**
 * Request headers a browser may send cross-origin: what the OpenAI and Anthropic SDKs send, nothing more. The web
 * page's own header is deliberately absent, so no other origin can drive the page's state-changing APIs.
 */
const CORS_ALLOWED_HEADERS = [
  "authorization",
  "x-api-key",
  "content-type",
  "openai-organization",
  "openai-project",
  "openai-beta",
  "anthropic-version",
  "anthropic-beta",
  "anthropic-dangerous-direct-browser-access",
  "anthropic-workspace-id",
  ...["arch", "helper", "helper-method", "lang", "os", "package-version", "retry-count", "runtime"].map(
    (name) => `x-stainless-${name}`,
  ),
  "x-stainless-runtime-version",
  "x-stainless-timeout",
];

/** What every route plugin receives: the shared runtime, the options and the per-family error renderers. */
export interface GatewayContext {
  runtime: GatewayRuntime;
  /** Memory budget of request bodies in flight. */
  bodyBudget: BodyBudget;
  options: GatewayOptions;
  errors: ErrorRenderers;
}

export type GatewayRoutes = (app: FastifyInstance, ctx: GatewayContext) => void | Promise<void>;

export interface GatewayServer {
  app: FastifyInstance;
  ctx: GatewayContext;
  /** Start listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stop accepting, let in-flight requests finish within `graceMs`, then cut what is left. */
  close(graceMs?: number): Promise<void>;
}

function unsafeBinding(where: string): GatewayError {
  return new GatewayError(
    "unsafe_binding",
    `Refusing to listen on ${where} without an API key: anyone who can reach it could use your Copilot seat. Pass --api-key (or set COPILOT_GATEWAY_API_KEY), or keep the default --host 127.0.0.1.`,
    { status: 500, exitCode: EXIT_CODES.usage },
  );
}

/** Refuse to serve beyond loopback without a key: anyone on the network could otherwise spend the user's seat. */
export function assertSafeBinding(options: GatewayOptions): void {
  if (options.teamMode) return; // every API request needs a personal key
  if (!isLoopbackName(options.host) && options.apiKeys.length === 0) throw unsafeBinding(options.host);
}

/**
 * The same rule for the addresses really bound: a loopback name can still resolve elsewhere (a `localhost` line in
 * /etc/hosts, a resolver that answers `*.localhost`).
 */
export function assertLoopbackBound(
  addresses: readonly { address: string }[],
  options: Pick<GatewayOptions, "host" | "apiKeys"> & { teamMode?: boolean | undefined },
): void {
  if (options.apiKeys.length > 0 || options.teamMode) return;
  const outside = addresses.find((a) => !isLoopbackName(a.address));
  if (outside) throw unsafeBinding(`${options.host} (${outside.address})`);
}

export async function createGatewayServer(
  runtime: GatewayRuntime,
  options: GatewayOptions,
  extraRoutes: GatewayRoutes[] = [],
): Promise<GatewayServer> {
  assertSafeBinding(options);
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    // Slow clients (headers or body trickling in) are cut once over the limits, checked this often.
    http: {
      headersTimeout: options.headersTimeoutMs,
      connectionsCheckingInterval: options.timeoutCheckIntervalMs,
    },
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Behind a reverse proxy (--trust-proxy), request.ip and request.protocol come from X-Forwarded-*.
    trustProxy: options.trustProxy,
  });
  const ctx: GatewayContext = {
    runtime,
    options,
    errors: new ErrorRenderers(),
    bodyBudget: new BodyBudget(options.bodyBudgetBytes),
  };
  const keys = new ApiKeyCheck(options.apiKeys);
  const checkHost = isLoopbackName(options.host);
  const allowedHosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const team = runtime.team;

  app.decorateRequest("facts", undefined as never);
  let closing: Promise<void> | undefined;

  // One log line (and one live-log entry) per request, written when the response closes, streamed or not.
  app.addHook("onRequest", (request, reply, done) => {
    const facts = newRequestFacts();
    request.facts = facts;
    const res = reply.raw;
    const metrics = runtime.metrics;
    if (metrics)
      facts.onStreamStart = () => {
        metrics.streamOpened();
        res.once("close", () => metrics.streamClosed());
      };
    // The request's close listener: it also stops the upstream call of a client that left early.
    res.once("close", () => {
      ctx.bodyBudget.release(facts.bodyCharge.bytes);
      const aborted = !res.writableFinished;
      if (aborted) facts.abort?.abort(new AbortedError("The client disconnected."));
      if (request.routeOptions.config?.quiet) return;
      const durationMs = performance.now() - facts.start;
      const entry: RequestLogEntry = {
        id: runtime.log.nextId(),
        time: facts.time,
        method: request.method,
        path: request.url.split("?", 1)[0] ?? request.url,
        route: request.routeOptions.url,
        model: facts.model,
        // 499 (client closed request) when the client left before any answer.
        status: aborted && !res.headersSent ? 499 : res.statusCode,
        durationMs,
        firstByteMs: facts.firstByteMs ?? (res.headersSent ? durationMs : undefined),
        stream: facts.stream,
        inputTokens: facts.inputTokens,
        outputTokens: facts.outputTokens,
        cachedTokens: facts.cachedTokens,
        initiator: facts.initiator,
        upstreamStatus: facts.upstreamStatus,
        upstreamRequestId: facts.upstreamRequestId,
        error: facts.error,
        aborted,
        ...(facts.person && { login: facts.person.login }),
      };
      runtime.log.add(entry);
      const person = facts.person;
      if (person && team) {
        person.done();
        if (countsAsUsage(entry))
          team.recordUsage({
            login: person.login,
            keyId: person.keyId,
            model: entry.model,
            inputTokens: entry.inputTokens,
            outputTokens: entry.outputTokens,
            cachedTokens: entry.cachedTokens,
            at: entry.time,
          });
      }
      // While shutting down, a keep-alive connection whose answer just finished must not hold the exit up.
      if (closing) setImmediate(() => app.server.closeIdleConnections());
      runtime.writeLog(
        formatLogLine(entry, options.verbose, {
          userAgent: request.headers["user-agent"],
          upstreamRequestId: facts.upstreamRequestId,
          errorMessage: facts.errorMessage,
          // request.ip is the socket's address, or X-Forwarded-For's client only with --trust-proxy.
          remoteAddress: request.ip,
        }),
      );
    });
    const targetProblem = requestTargetProblem(request.raw);
    if (targetProblem) return done(targetProblem);
    // DNS-rebinding defence: a page on evil.example that rebinds its name to 127.0.0.1 still sends its own Host.
    const hostName = hostNameOf(request.headers.host) ?? "";
    if (checkHost && !isLoopbackName(hostName) && !allowedHosts.has(hostName.toLowerCase())) {
      done(hostRejected(request.headers.host));
      return;
    }
    // A web page the user visits must not spend the seat with "simple" requests the browser sends unasked.
    if (!request.routeOptions.config?.ownOriginCheck) {
      const refused = crossSiteRefusal(request.headers, options.corsOrigins);
      if (refused) return done(refused);
    }
    // Charge the declared body before reading a byte of it; released when the answer closes.
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > 0 && declared <= options.bodyLimitBytes) {
      const busy = ctx.bodyBudget.charge(declared);
      if (busy) return done(busy);
      facts.bodyCharge.bytes = declared;
    }
    done();
  });

  if (options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: options.corsOrigins.includes("*") ? true : options.corsOrigins,
      methods: ["GET", "POST", "OPTIONS"],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      maxAge: 600,
    });
  }

  // Team gateway: a personal key names the person; their limits apply, and their own Copilot client serves them.
  if (team) {
    app.addHook("onRequest", async (request) => {
      if (request.routeOptions.config?.public || request.method === "OPTIONS") return;
      const base = team.options.publicUrl ?? `${request.protocol}://${request.headers.host ?? options.host}`;
      const admitted = await team.admit(ApiKeyCheck.presented(request.headers), base);
      request.facts.person = { login: admitted.login, keyId: admitted.keyId, done: admitted.done };
      request.facts.client = admitted.client;
    });
  }

  app.addHook("onRequest", (request, _reply, done) => {
    if (!keys.enabled || request.routeOptions.config?.public || request.method === "OPTIONS") return done();
    if (!keys.accepts(ApiKeyCheck.presented(request.headers))) return done(invalidApiKey());
    done();
  });

  // A body without Content-Length (chunked) is charged to the budget as its bytes arrive.
  app.addHook("preParsing", (request, _reply, payload, done) => {
    if (request.headers["content-length"] !== undefined || request.facts.bodyCharge.bytes > 0)
      return done(null, payload);
    done(null, payload.pipe(ctx.bodyBudget.meter(request.facts.bodyCharge)));
  });

  // Keep the raw bytes: the hot path forwards them upstream instead of re-serialising the parsed body. Bodies sent
  // with another content type (curl -d defaults to form encoding) are accepted when they are JSON all the same.
  app.removeAllContentTypeParsers();
  const parseJsonBody = (
    request: FastifyRequest,
    body: string | Buffer,
    done: (e: Error | null, v?: unknown) => void,
  ) => {
    const raw = body as Buffer;
    request.facts.rawBody = raw;
    if (raw.length === 0) return done(invalidRequest("The request body is empty; send a JSON object."));
    // Before anything walks the body: thousands of levels would overflow the stack of every recursive step after.
    if (jsonNestsDeeperThan(raw, MAX_JSON_DEPTH))
      return done(
        invalidRequest(
          `The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels; flatten it (tool schemas included).`,
          "json_too_deep",
        ),
      );
    try {
      done(null, JSON.parse(raw.toString("utf8")));
    } catch (error) {
      done(
        invalidRequest(
          `The request body is not valid JSON (${(error as Error).message}); send a JSON object as application/json.`,
          "invalid_json",
        ),
      );
    }
  };
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, parseJsonBody);
  app.addContentTypeParser("*", { parseAs: "buffer" }, parseJsonBody);

  app.setErrorHandler((error, request: FastifyRequest, reply: FastifyReply) => {
    const gatewayError = toGatewayError(error);
    if (request.facts) {
      request.facts.error = gatewayError.code;
      request.facts.errorMessage = gatewayError.message;
      // A failing request is the one worth tracing upstream: keep Copilot's id for the verbose log line.
      if (gatewayError instanceof CopilotApiError) {
        request.facts.upstreamRequestId ??= gatewayError.requestId;
        request.facts.upstreamStatus = gatewayError.upstreamStatus;
      }
    }
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const rendered = ctx.errors.for(request.url)(gatewayError, request);
    if (rendered.headers) reply.headers(rendered.headers);
    if (gatewayError instanceof BodyBudgetError) {
      reply.header("retry-after", String(gatewayError.retryAfterSeconds));
      // The body was refused unread (or half read): the connection cannot carry another request, so the client is
      // told to open a new one rather than reuse it and have it dropped under its next request (Node 24's fetch).
      reply.header("connection", "close");
    }
    reply.code(rendered.status).send(rendered.body);
  });
  app.setNotFoundHandler((request) => {
    throw routeNotFound(request.method, request.url.split("?", 1)[0] ?? request.url);
  });

  for (const routes of [healthRoutes, metricsRoutes, openaiRoutes, anthropicRoutes, ...extraRoutes])
    await routes(app, ctx);

  return {
    app,
    ctx,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      try {
        // A string address is a local socket path, never reachable from the network.
        assertLoopbackBound(
          app.addresses().flatMap((a) => (typeof a === "string" ? [] : [a])),
          options,
        );
      } catch (error) {
        await app.close();
        throw error;
      }
      const address = app.server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      return `http://${host}:${port}`;
    },
    close(graceMs = options.shutdownGraceMs) {
      closing ??= (async () => {
        const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
        try {
          await app.close();
        } finally {
          clearTimeout(timer);
          runtime.session()?.tokens.stop();
          await runtime.flush();
          await runtime.team?.close();
        }
      })();
      return closing;
    },
  };
}
