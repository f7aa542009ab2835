import type { Dispatcher } from "undici";
import type { AnthropicContext } from "../anthropic/messages-service.js";
import { type AccountStatus, getAccountStatus } from "../auth/account-status.js";
import type { AccountType } from "../config/hosts.js";
import { resolveSettings } from "../config/settings.js";
import type { ChatCompletion, ChatCompletionChunk } from "../copilot/chat-types.js";
import type { ApiRequest, ChatInput, CopilotClient, JsonObject } from "../copilot/client.js";
import { connectCopilot } from "../copilot/connect.js";
import type { CopilotModel } from "../copilot/models.js";
import type { RetryPolicy, Timeouts } from "../copilot/transport.js";
import type { CopilotUsage } from "../copilot/usage.js";
import { GatewayError, UsageError } from "../errors.js";
import { createDispatcher } from "../http/dispatcher.js";
import type { GatewayServer } from "../server/create-server.js";
import type { FetchFunction } from "../server/in-process-fetch.js";
import { type CopilotLimits, limitsFromUsage, withAnswerLimits } from "./limits.js";
import { createMessageEvents } from "./message-events.js";

/** Options of {@link createCopilot}. Each one left out falls back to what the CLI would use (flags' variables). */
export interface CopilotOptions {
  /**
   * The GitHub token to use, as `--github-token` (highest precedence): a device-flow login (`gho_`/`ghu_`), a
   * fine-grained PAT with Copilot Requests (`github_pat_`) or an Actions token (`ghs_`). Without it: `githubApp`,
   * `copilotToken`, `COPILOT_GITHUB_TOKEN`, `GH_TOKEN`, `GITHUB_TOKEN`, then the login stored by
   * `copilot-gateway login` for the host.
   */
  token?: string | undefined;
  /**
   * A GitHub App installation billed to the organisation (spec §9), as `--github-app-*`: the App id, the
   * installation id, a repository id the installation can see, and the private key (a PEM file path or the PEM
   * text). Second in precedence, after `token`. Without it the `COPILOT_GATEWAY_GITHUB_APP_*` variables are read.
   */
  githubApp?:
    | {
        appId: string | number;
        installationId: string | number;
        repositoryId?: string | number | undefined;
        privateKey: string;
      }
    | undefined;
  /**
   * A ready Copilot token, used as is and never refreshed (as `GITHUB_COPILOT_API_TOKEN`), with its API base
   * `copilotApiUrl` (as `COPILOT_API_URL`). Third in precedence.
   */
  copilotToken?: string | undefined;
  /** The Copilot API base for `copilotToken`. */
  copilotApiUrl?: string | undefined;
  /** `github.com` (default, or `COPILOT_GATEWAY_GITHUB_HOST`) or a `SUB.ghe.com` data-residency host. */
  githubHost?: string | undefined;
  /** Which Copilot API base to use when the token names none (default `individual`). */
  accountType?: AccountType | undefined;
  /** The state directory holding the stored login (default `COPILOT_GATEWAY_HOME`, else the XDG data dir). */
  homeDir?: string | undefined;
  /** The environment read for tokens and settings (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
  /** First-byte and between-chunk timeouts in milliseconds (default 120 s each). */
  timeouts?: Partial<Timeouts> | undefined;
  /** Retries of 429, 5xx and connection failures before an answer starts (default 2). A stale token's 401 is extra. */
  maxRetries?: number | undefined;
  /** The longest `Retry-After` waited for before failing with the wait in the message (default 20 s). */
  maxRetryAfterMs?: number | undefined;
  /** An HTTP(S) proxy URL for every outgoing request; without it `HTTPS_PROXY` / `HTTP_PROXY` are honoured. */
  proxy?: string | undefined;
  /** Hosts that bypass the proxy (`NO_PROXY` syntax). */
  noProxy?: string | undefined;
  /** A PEM file of extra CA certificates (TLS-inspecting proxies), as `--ca-file`. */
  caFile?: string | undefined;
  /** Your own undici dispatcher for every request (then `proxy`, `noProxy` and `caFile` are not used). */
  dispatcher?: Dispatcher | undefined;
  /** Model aliases for the Anthropic API (`messages.create` and `fetch`), as `serve --model-map`. */
  modelMap?: Record<string, string> | undefined;
  /** Refresh the Copilot token ahead of its expiry in the background (default true; the timer never holds the process). */
  refreshInBackground?: boolean | undefined;
  /** Where the in-process gateway's request log lines go (`copilot.fetch`); dropped by default. */
  onLog?: ((line: string) => void) | undefined;
}

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call, or the stream being read; it then fails with `AbortedError`. */
  signal?: AbortSignal | undefined;
  /** Extra headers for Copilot (e.g. `anthropic-beta`). */
  headers?: Record<string, string> | undefined;
}

/** A Responses or Anthropic Messages request: the model and whatever that API accepts. */
export type CopilotApiRequest = ApiRequest;

/** An embeddings request. */
export interface EmbeddingsRequest {
  model: string;
  input: string | string[];
  [key: string]: unknown;
}

/** A streamed answer, read once with `for await`; `close()` (or leaving the loop) ends the request. */
export interface CopilotStream<T> extends AsyncIterable<T> {
  close(): Promise<void>;
}

const CLOSED_MESSAGE = "This Copilot instance was closed; create a new one with createCopilot().";

/**
 * Copilot in a TypeScript program, created by {@link createCopilot}: the OpenAI and Anthropic APIs as methods,
 * `fetch` for the official SDKs, the account's usage and limits. One pooled connection set carries every call.
 */
export class Copilot {
  readonly #client: CopilotClient;
  readonly #options: CopilotOptions;
  readonly #ownsDispatcher: boolean;
  #refreshStarted = false;
  #closed = false;
  #gateway: Promise<GatewayServer> | undefined;

  /** @internal Use {@link createCopilot}. */
  constructor(client: CopilotClient, options: CopilotOptions, ownsDispatcher: boolean) {
    this.#client = client;
    this.#options = options;
    this.#ownsDispatcher = ownsDispatcher;
  }

  /** The model catalogue of your seat. */
  readonly models = {
    /** Every model the catalogue offers (cached for 5 minutes; `refresh: true` fetches it now). */
    list: (options: RequestOptions & { refresh?: boolean } = {}): Promise<CopilotModel[]> =>
      this.#use(() => this.#client.models({ refresh: options.refresh, signal: options.signal })),
  };

  /** OpenAI chat completions. */
  readonly chat = {
    completions: {
      /**
       * A chat completion. With `stream: true`, an async iterator of chunks. The model may be left out (the
       * catalogue's chat default); Responses-only models (the Codex family) are translated there and back.
       */
      create: ((body: ChatInput, options: RequestOptions = {}) =>
        this.#use(() => this.#client.chat(body, options))) as {
        (
          body: ChatInput & { stream: true },
          options?: RequestOptions,
        ): Promise<CopilotStream<ChatCompletionChunk>>;
        (body: ChatInput & { stream?: false | undefined }, options?: RequestOptions): Promise<ChatCompletion>;
        (
          body: ChatInput,
          options?: RequestOptions,
        ): Promise<ChatCompletion | CopilotStream<ChatCompletionChunk>>;
      },
    },
  };

  /** The OpenAI Responses API. */
  readonly responses = {
    /** A Responses API call; with `stream: true`, an async iterator of its events (each with its `type`). */
    create: ((body: CopilotApiRequest, options: RequestOptions = {}) =>
      this.#use(() => this.#client.responses(body, options))) as {
      (
        body: CopilotApiRequest & { stream: true },
        options?: RequestOptions,
      ): Promise<CopilotStream<JsonObject>>;
      (body: CopilotApiRequest, options?: RequestOptions): Promise<JsonObject>;
    },
  };

  /** The Anthropic Messages API. */
  readonly messages = {
    /**
     * An Anthropic message. Claude models go to Copilot's native Messages API; every other chat model is
     * translated, as the gateway does. Anthropic model names (dated ids, `-latest`, `sonnet`) are resolved.
     * With `stream: true`, an async iterator of Anthropic's stream events.
     */
    create: ((body: CopilotApiRequest, options: RequestOptions = {}) =>
      this.#use(() => createMessageEvents(this.#anthropicContext(), body, options))) as {
      (
        body: CopilotApiRequest & { stream: true },
        options?: RequestOptions,
      ): Promise<CopilotStream<JsonObject>>;
      (body: CopilotApiRequest, options?: RequestOptions): Promise<JsonObject>;
    },
  };

  /** OpenAI embeddings. */
  readonly embeddings = {
    /** Embeddings of `input` with an embeddings model of the catalogue. */
    create: (body: EmbeddingsRequest, options: RequestOptions = {}): Promise<JsonObject> =>
      this.#use(() => this.#client.embeddings(body, options)),
  };

  /**
   * A `fetch` that serves the gateway's OpenAI and Anthropic HTTP APIs in process (no socket), for the official
   * SDKs: `new OpenAI({ baseURL: "http://copilot.local/v1", apiKey: "unused", fetch: copilot.fetch })`. Any host
   * works; the path picks the route, as on `copilot-gateway serve`.
   */
  readonly fetch: FetchFunction = async (input, init) => {
    const fetchInProcess = await this.#use(async () => {
      const { createInProcessFetch } = await import("../server/in-process-fetch.js");
      return createInProcessFetch(async () => (await this.#inProcessGateway()).app);
    });
    return fetchInProcess(input, init);
  };

  /** The account's plan, quota snapshots and reset date (`copilot_internal/user`). */
  usage(options: RequestOptions = {}): Promise<CopilotUsage> {
    return this.#use(() => this.#client.usage({ signal: options.signal }));
  }

  /**
   * Who is signed in, as `copilot-gateway status`: host, login, token source (masked, never the token), plan,
   * Copilot API base and token expiry. Exchanges the token once to check it.
   */
  status(options: RequestOptions = {}): Promise<AccountStatus> {
    return this.#use(() => {
      const { settings, credential, dispatcher } = this.#client.session;
      return getAccountStatus({ settings, credential, dispatcher, signal: options.signal });
    });
  }

  /**
   * Where the account's limits stand: the quotas with percent left and reset time. The rolling session and
   * weekly limits are filled in when Copilot reports them.
   */
  async limits(options: RequestOptions = {}): Promise<CopilotLimits> {
    return withAnswerLimits(
      limitsFromUsage(await this.usage(options)),
      this.#client.session.limits.current(),
    );
  }

  /**
   * Stop the background token refresh and close the connections (and the in-process gateway). The process can then
   * exit on its own; calls made afterwards fail with the code `closed`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const session = this.#client.session;
    session.tokens.stop();
    const gateway = this.#gateway;
    if (gateway) await (await gateway.catch(() => undefined))?.close(0);
    // The last limits seen are kept for `usage` and the next instance: write what is pending now.
    await session.limitFile?.flush();
    if (this.#ownsDispatcher) await session.dispatcher.close();
  }

  /** Runs a call unless closed; the first call starts the background refresh. */
  async #use<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new GatewayError("closed", CLOSED_MESSAGE, { status: 500 });
    if (!this.#refreshStarted && this.#options.refreshInBackground !== false) {
      this.#refreshStarted = true;
      this.#client.session.tokens.start();
    }
    return await call();
  }

  #anthropicContext(): AnthropicContext {
    return { client: this.#client, modelMap: this.#options.modelMap ?? {} };
  }

  /** The gateway's fastify app over this instance's client, built on first use (its modules load only then). */
  #inProcessGateway(): Promise<GatewayServer> {
    this.#gateway ??= (async () => {
      const [{ createGatewayServer }, { DEFAULT_GATEWAY_OPTIONS }, { createGatewayRuntime }] =
        await Promise.all([
          import("../server/create-server.js"),
          import("../server/options.js"),
          import("../server/runtime.js"),
        ]);
      const onLog = this.#options.onLog;
      const runtime = createGatewayRuntime({
        session: this.#client.session,
        client: this.#client,
        refreshTokens: false,
        writeLog: (line) => onLog?.(line),
      });
      return createGatewayServer(runtime, {
        ...DEFAULT_GATEWAY_OPTIONS,
        modelMap: this.#options.modelMap ?? {},
      });
    })();
    return this.#gateway;
  }
}

/** The `copilotToken` options as the variables the credential resolver reads (the official SDK's names). */
function withCopilotToken(options: CopilotOptions, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (options.copilotToken === undefined) return env;
  const out: NodeJS.ProcessEnv = { ...env, GITHUB_COPILOT_API_TOKEN: options.copilotToken };
  if (options.copilotApiUrl !== undefined) out.COPILOT_API_URL = options.copilotApiUrl;
  else delete out.COPILOT_API_URL;
  return out;
}

function dispatcherEnv(options: CopilotOptions, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (options.proxy === undefined && options.noProxy === undefined) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  if (options.proxy !== undefined) {
    for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) delete out[name];
    out.HTTPS_PROXY = options.proxy;
    out.HTTP_PROXY = options.proxy;
  }
  if (options.noProxy !== undefined) {
    delete out.no_proxy;
    out.NO_PROXY = options.noProxy;
  }
  return out;
}

function checkedRetries(options: CopilotOptions): Partial<RetryPolicy> {
  const retry: Partial<RetryPolicy> = {};
  if (options.maxRetries !== undefined) {
    if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)
      throw new UsageError(
        `maxRetries must be a whole number ≥ 0 (got ${options.maxRetries}).`,
        "invalid_option",
      );
    retry.maxRetries = options.maxRetries;
  }
  if (options.maxRetryAfterMs !== undefined) retry.maxRetryAfterMs = options.maxRetryAfterMs;
  return retry;
}

/**
 * Copilot from code, like `new OpenAI()`: finds the credential the way the CLI does (the `token` option, then GitHub
 * App settings, a direct Copilot token, `COPILOT_GITHUB_TOKEN`, `GH_TOKEN`, `GITHUB_TOKEN`, then the stored login)
 * and opens a session. Throws
 * `NotSignedInError` (code `not_signed_in`) at once when there is no token; makes no network call until used.
 */
export function createCopilot(options: CopilotOptions = {}): Copilot {
  const env = withCopilotToken(options, options.env ?? process.env);
  const app = options.githubApp;
  const settings = resolveSettings(
    {
      githubToken: options.token,
      githubHost: options.githubHost,
      accountType: options.accountType,
      homeDir: options.homeDir,
      caFile: options.caFile,
      githubApp: app && {
        appId: String(app.appId),
        installationId: String(app.installationId),
        repositoryId: app.repositoryId === undefined ? undefined : String(app.repositoryId),
        privateKey: app.privateKey,
      },
    },
    env,
  );
  const retry = checkedRetries(options);
  const dispatcher =
    options.dispatcher ?? createDispatcher({ caFile: settings.caFile, env: dispatcherEnv(options, env) });
  try {
    const client = connectCopilot({
      settings,
      env,
      session: { dispatcher, retry, timeouts: options.timeouts },
    });
    return new Copilot(client, options, options.dispatcher === undefined);
  } catch (error) {
    if (options.dispatcher === undefined) void dispatcher.close();
    throw error;
  }
}
