import { EXIT_CODES, GatewayError } from "../errors.js";
import type { HttpResponse } from "../http/request.js";
import { readJsonEvents } from "../sse/json-events.js";
import { readSseEvents } from "../sse/read-sse.js";
import { StreamInterruptedError, StreamProtocolError, streamReadFailure } from "../sse/stream-errors.js";
import {
  type ChatResponsesTranslation,
  translateChatForResponses,
} from "../translate/responses/chat-route.js";
import { abortable } from "../util/abortable.js";
import { CopilotApiError, withQuotaResetDate } from "./api-error.js";
import { mergeSplitChoices } from "./chat-accumulator.js";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatRequestBody,
} from "./chat-types.js";
import { EventStream } from "./event-stream.js";
import { UnknownModelError } from "./model-errors.js";
import { type CopilotModel, defaultChatModel, type ParsedCatalogue, parseModelCatalogue } from "./models.js";
import {
  anthropicInitiator,
  chatInitiator,
  hasImageInput,
  type Initiator,
  responsesInitiator,
} from "./request-hints.js";
import { type ModelPurpose, resolveModel } from "./resolve-model.js";
import { chatRouteFor, requireEndpoint } from "./routing.js";
import type { CopilotSession } from "./session.js";
import { type CopilotRequest, sendToCopilot } from "./transport.js";
import { type CopilotUsage, fetchCopilotUsage, quotaResetDate } from "./usage.js";

export interface CopilotClientOptions {
  /** How long the model catalogue is reused before it is fetched again. */
  modelsTtlMs?: number;
  /** An unknown model triggers a catalogue refresh at most this often (new models appear between TTLs). */
  missRefreshMs?: number;
  /** Monotonic clock in ms; injectable for tests. */
  now?: () => number;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Override the `X-Initiator` the request body implies (see request-hints.ts). */
  initiator?: Initiator | undefined;
  /** Extra headers for Copilot (e.g. `anthropic-beta`). */
  headers?: Record<string, string> | undefined;
}

/** A chat request whose model may be left out (the catalogue's chat default is used). */
export interface ChatInput extends ChatRequestBody {
  model?: string | undefined;
}

/** A Responses or Messages request: the model plus whatever that API accepts. */
export type ApiRequest = { model: string; stream?: boolean; [key: string]: unknown };

/** A JSON object as Copilot answered it (Responses, Messages and embeddings answers, stream events). */
export type JsonObject = Record<string, unknown>;

async function readJson(
  response: HttpResponse,
  signal: AbortSignal | undefined,
  what: string,
): Promise<JsonObject> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw streamReadFailure(error, signal);
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === "object" && !Array.isArray(json)) return json as JsonObject;
  } catch {
    // fall through
  }
  throw new StreamProtocolError(`Copilot answered ${what} with an unexpected body (not a JSON object).`);
}

/** Copilot's stream events, each the parsed JSON object with the SSE event name folded into `type`. */
async function* apiEvents(
  response: HttpResponse,
  signal: AbortSignal | undefined,
  terminalEvents: readonly string[],
): AsyncGenerator<JsonObject> {
  for await (const { event, data } of readJsonEvents(readSseEvents(response.body, signal), {
    terminalEvents,
  })) {
    if (event && data.type === undefined) data.type = event;
    yield data;
  }
}

/** Chat chunks straight from `/chat/completions`. A stream that ends after a finish reason but before `[DONE]` is kept. */
async function* chatChunks(
  response: HttpResponse,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatCompletionChunk> {
  let finished = false;
  try {
    for await (const { data } of readJsonEvents(readSseEvents(response.body, signal), {
      requireDone: true,
    })) {
      const chunk = data as unknown as ChatCompletionChunk;
      if (!Array.isArray(chunk.choices)) chunk.choices = [];
      if (chunk.choices.some((c) => c.finish_reason)) finished = true;
      yield chunk;
    }
  } catch (error) {
    if (error instanceof StreamInterruptedError && finished) return;
    throw error;
  }
}

/**
 * The typed Copilot client over one session: the model catalogue (cached), chat with routing to `/responses`
 * where a model needs it, the Responses, Messages and embeddings APIs, and the account's usage. Every request
 * carries the headers of spec §4 (see transport.ts) with `X-Initiator` and the vision flag derived from the body.
 */
export class CopilotClient {
  readonly session: CopilotSession;
  readonly #ttlMs: number;
  readonly #missRefreshMs: number;
  readonly #now: () => number;
  #catalogue: { models: CopilotModel[]; at: number } | undefined;
  #inflight: Promise<CopilotModel[]> | undefined;
  #skipped: ParsedCatalogue["skipped"] = [];

  constructor(session: CopilotSession, options: CopilotClientOptions = {}) {
    this.session = session;
    this.#ttlMs = options.modelsTtlMs ?? 5 * 60_000;
    this.#missRefreshMs = options.missRefreshMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Low level: one request to the Copilot API with the body unread (for pass-through). */
  send(req: CopilotRequest): Promise<HttpResponse> {
    return sendToCopilot(this.session, req);
  }

  /** The catalogue, parsed leniently and cached for the TTL; `refresh` fetches it again now. */
  async models(
    options: { refresh?: boolean; signal?: AbortSignal | undefined } = {},
  ): Promise<CopilotModel[]> {
    const cached = this.#catalogue;
    if (!options.refresh && cached && this.#now() - cached.at < this.#ttlMs) return cached.models;
    if (!this.#inflight) {
      // One shared fetch for concurrent callers; it is not tied to any one caller's signal, each caller's abort
      // only stops that caller's wait (the fetch itself is bounded by the session's timeouts).
      this.#inflight = (async () => {
        const response = await this.send({ method: "GET", path: "/models" });
        const { models, skipped } = parseModelCatalogue(await readJson(response, undefined, "/models"));
        this.#catalogue = { models, at: this.#now() };
        this.#skipped = skipped;
        return models;
      })().finally(() => {
        this.#inflight = undefined;
      });
    }
    return await abortable(this.#inflight, options.signal);
  }

  /** Catalogue entries the last fetch skipped because they did not parse (for diagnostics). */
  skippedModels(): ParsedCatalogue["skipped"] {
    return this.#skipped;
  }

  /**
   * The model for `id` (or the catalogue's chat default when `id` is empty), checked for `purpose`. An unknown id
   * refreshes a catalogue older than `missRefreshMs` once before failing with close matches.
   */
  async model(
    id: string | undefined,
    purpose: ModelPurpose = "chat",
    signal?: AbortSignal | undefined,
  ): Promise<CopilotModel> {
    let models = await this.models({ signal });
    if (!id) {
      const fallback = defaultChatModel(models);
      if (!fallback)
        throw new GatewayError(
          "no_chat_model",
          "Copilot's catalogue offers no enabled chat model for this seat.",
          {
            status: 404,
          },
        );
      return fallback;
    }
    try {
      return resolveModel(models, id, purpose);
    } catch (error) {
      const age = this.#catalogue ? this.#now() - this.#catalogue.at : Number.POSITIVE_INFINITY;
      if (!(error instanceof UnknownModelError) || age < this.#missRefreshMs) throw error;
      models = await this.models({ refresh: true, signal });
      return resolveModel(models, id, purpose);
    }
  }

  /** Accept a model's terms (`POST /models/{id}/policy`), enabling a `requires_consent` model. */
  async enableModel(id: string, options: CallOptions = {}): Promise<{ model: string; changed: boolean }> {
    const models = await this.models({ signal: options.signal });
    const found = models.find((m) => m.id === id);
    if (!found) resolveModel(models, id); // throws UnknownModelError with close matches
    if (found?.policy?.state === "enabled" || (found && !found.policy)) return { model: id, changed: false };
    const disabled = (): GatewayError =>
      new GatewayError(
        "model_disabled",
        `The model "${id}" is disabled by your organization's Copilot policy and cannot be enabled here; ask an admin to enable it.`,
        { exitCode: EXIT_CODES.upstream, status: 403 },
      );
    // The catalogue already says so; the real API answers a bare 404 to this POST, which tells the user nothing.
    if (found?.policy?.state === "disabled") throw disabled();
    try {
      const response = await this.send({
        method: "POST",
        path: `/models/${encodeURIComponent(id)}/policy`,
        body: JSON.stringify({ state: "enabled" }),
        signal: options.signal,
      });
      await response.body.dump();
    } catch (error) {
      if (error instanceof CopilotApiError && error.upstreamStatus === 403) throw disabled();
      throw error;
    }
    this.#catalogue = undefined;
    return { model: id, changed: true };
  }

  /**
   * A chat completion. With `stream: true` the answer is an async iterator of parsed chunks (never retried once
   * it has started; a mid-stream error or a dropped connection is thrown as a typed error). Models that only speak
   * `/responses` are translated there and back, streamed too. Split choices of a non-streamed answer are merged.
   */
  chat(req: ChatInput & { stream: true }, options?: CallOptions): Promise<EventStream<ChatCompletionChunk>>;
  chat(req: ChatInput & { stream?: false | undefined }, options?: CallOptions): Promise<ChatCompletion>;
  chat(req: ChatInput, options?: CallOptions): Promise<ChatCompletion | EventStream<ChatCompletionChunk>>;
  async chat(
    req: ChatInput,
    options: CallOptions = {},
  ): Promise<ChatCompletion | EventStream<ChatCompletionChunk>> {
    const signal = options.signal;
    const model = await this.model(req.model, "chat", signal);
    const request: ChatCompletionRequest = { ...req, model: model.id };
    const route = chatRouteFor(model);
    const hints = {
      initiator: options.initiator ?? chatInitiator(request.messages),
      vision: hasImageInput(request.messages),
    };
    if (route === "/chat/completions") {
      const response = await this.#send({
        method: "POST",
        path: route,
        body: JSON.stringify(request),
        signal,
        headers: options.headers,
        ...hints,
      });
      if (request.stream) return new EventStream(response, (r) => chatChunks(r, signal));
      const completion = (await readJson(response, signal, route)) as unknown as ChatCompletion;
      if (!Array.isArray(completion.choices))
        throw new StreamProtocolError("Copilot answered /chat/completions without `choices`.");
      return request.n !== undefined && request.n > 1 ? completion : mergeSplitChoices(completion);
    }
    const translation: ChatResponsesTranslation = translateChatForResponses(request);
    const response = await this.#send({
      method: "POST",
      path: "/responses",
      body: JSON.stringify(translation.request),
      signal,
      headers: options.headers,
      ...hints,
    });
    if (request.stream)
      return new EventStream(response, (r) =>
        translation.streamChunks(apiEvents(r, signal, translation.terminalEvents)),
      );
    return translation.completion(await readJson(response, signal, "/responses"));
  }

  /** The OpenAI Responses API (`/responses`), for models that list it. Streamed answers are parsed events. */
  responses(req: ApiRequest & { stream: true }, options?: CallOptions): Promise<EventStream<JsonObject>>;
  responses(req: ApiRequest, options?: CallOptions): Promise<JsonObject>;
  async responses(req: ApiRequest, options: CallOptions = {}): Promise<JsonObject | EventStream<JsonObject>> {
    const model = await this.model(req.model, "chat", options.signal);
    requireEndpoint(model, "/responses");
    const response = await this.#send({
      method: "POST",
      path: "/responses",
      body: JSON.stringify({ ...req, model: model.id }),
      signal: options.signal,
      headers: options.headers,
      initiator: options.initiator ?? responsesInitiator(req.input),
      vision: hasImageInput(typeof req.input === "string" ? [] : req.input),
    });
    if (req.stream)
      return new EventStream(response, (r) =>
        apiEvents(r, options.signal, ["response.completed", "response.incomplete", "response.failed"]),
      );
    return await readJson(response, options.signal, "/responses");
  }

  /** Copilot's native Anthropic Messages API (`/v1/messages`), for Claude models that list it. */
  messages(req: ApiRequest & { stream: true }, options?: CallOptions): Promise<EventStream<JsonObject>>;
  messages(req: ApiRequest, options?: CallOptions): Promise<JsonObject>;
  async messages(req: ApiRequest, options: CallOptions = {}): Promise<JsonObject | EventStream<JsonObject>> {
    const model = await this.model(req.model, "chat", options.signal);
    requireEndpoint(model, "/v1/messages");
    const response = await this.#send({
      method: "POST",
      path: "/v1/messages",
      body: JSON.stringify({ ...req, model: model.id }),
      signal: options.signal,
      headers: options.headers,
      initiator: options.initiator ?? anthropicInitiator(req.messages),
      vision: hasImageInput(req.messages),
    });
    if (req.stream) return new EventStream(response, (r) => apiEvents(r, options.signal, ["message_stop"]));
    return await readJson(response, options.signal, "/v1/messages");
  }

  /** OpenAI embeddings (`/embeddings`) for an embeddings model of the catalogue. */
  async embeddings(
    req: { model: string; input: string | string[]; [key: string]: unknown },
    options: CallOptions = {},
  ): Promise<JsonObject> {
    const model = await this.model(req.model, "embeddings", options.signal);
    const response = await this.#send({
      method: "POST",
      path: "/embeddings",
      body: JSON.stringify({ ...req, model: model.id }),
      signal: options.signal,
      headers: options.headers,
      initiator: options.initiator ?? "user",
    });
    return await readJson(response, options.signal, "/embeddings");
  }

  /** The account's plan, quota snapshots and reset date (`copilot_internal/user`, with the GitHub token). */
  async usage(options: { signal?: AbortSignal | undefined } = {}): Promise<CopilotUsage> {
    const githubToken = await this.session.credential.githubToken(options.signal);
    if (!githubToken) {
      const info = this.session.credential.describe();
      throw new GatewayError(
        "usage_needs_github_token",
        `The Copilot usage report is read with a GitHub token, and the ${info.description} from ${info.source} is not one; use \`copilot-gateway login\` or a fine-grained PAT to see usage.`,
        { exitCode: EXIT_CODES.usage, status: 400 },
      );
    }
    return await fetchCopilotUsage({
      endpoints: this.session.settings.endpoints,
      identity: this.session.identity,
      dispatcher: this.session.dispatcher,
      githubToken,
      signal: options.signal,
    });
  }

  /** sendToCopilot, with a 402 retold with the quota's reset date when Copilot did not say it. */
  async #send(req: CopilotRequest): Promise<HttpResponse> {
    try {
      return await this.send(req);
    } catch (error) {
      if (error instanceof CopilotApiError && error.upstreamStatus === 402 && !error.resetDate) {
        const usage = await this.usage({ signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
        throw withQuotaResetDate(error, usage && quotaResetDate(usage));
      }
      throw error;
    }
  }
}

export function createCopilotClient(session: CopilotSession, options?: CopilotClientOptions): CopilotClient {
  return new CopilotClient(session, options);
}
