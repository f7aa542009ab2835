import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { listLimits } from "../../copilot/limits/limit-snapshot.js";
import type { CopilotSession } from "../../copilot/session.js";
import type { RequestLogEntry } from "../request-log.js";

export interface GatewayMetricsOptions {
  /**
   * Label request, token and limit series with the person's login (`login="alice"`, team mode only). Never a key:
   * keys are secrets and unbounded.
   */
  perUser?: boolean;
  /** Collect Node's process metrics (CPU, memory, event loop, handles). */
  processMetrics?: boolean;
}

const TTFB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
const TOTAL_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160, 300];

/**
 * The gateway's Prometheus metrics on a registry of their own (no global state): requests, latency, tokens,
 * upstream retries and errors, token exchanges, limits and open streams, plus Node's process metrics.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #perUser: boolean;
  readonly #requests: Counter;
  readonly #ttfb: Histogram;
  readonly #duration: Histogram;
  readonly #tokens: Counter;
  readonly #retries: Counter;
  readonly #upstreamErrors: Counter;
  readonly #exchanges: Counter;
  readonly #refreshFailures: Counter;
  readonly #limitLeft: Gauge;
  readonly #openStreams: Gauge;

  constructor(options: GatewayMetricsOptions = {}) {
    this.#perUser = options.perUser === true;
    const registers = [this.registry];
    const user = this.#perUser ? ["login"] : [];
    this.#requests = new Counter({
      name: "copilot_gateway_requests_total",
      help: "Requests answered, by route, model, HTTP status and whether the answer was streamed.",
      labelNames: ["route", "model", "status", "stream", ...user],
      registers,
    });
    this.#ttfb = new Histogram({
      name: "copilot_gateway_time_to_first_byte_seconds",
      help: "Time from a request's arrival until its answer began (for streams: the first event).",
      labelNames: ["route", "stream"],
      buckets: TTFB_BUCKETS,
      registers,
    });
    this.#duration = new Histogram({
      name: "copilot_gateway_request_duration_seconds",
      help: "Time from a request's arrival until its answer ended.",
      labelNames: ["route", "stream"],
      buckets: TOTAL_BUCKETS,
      registers,
    });
    this.#tokens = new Counter({
      name: "copilot_gateway_tokens_total",
      help: "Tokens Copilot reported, by model and kind (input, output, cached; cached is part of input).",
      labelNames: ["model", "kind", ...user],
      registers,
    });
    this.#retries = new Counter({
      name: "copilot_gateway_upstream_retries_total",
      help: "Requests to Copilot sent again, by reason (status:<n> or connection).",
      labelNames: ["reason"],
      registers,
    });
    this.#upstreamErrors = new Counter({
      name: "copilot_gateway_upstream_errors_total",
      help: "Error answers from Copilot after retries, by code and HTTP status.",
      labelNames: ["code", "status"],
      registers,
    });
    this.#exchanges = new Counter({
      name: "copilot_gateway_token_exchanges_total",
      help: "Copilot tokens obtained by exchanging the GitHub token.",
      registers,
    });
    this.#refreshFailures = new Counter({
      name: "copilot_gateway_token_refresh_failures_total",
      help: "Background Copilot token refreshes that failed (each is retried).",
      registers,
    });
    this.#limitLeft = new Gauge({
      name: "copilot_gateway_limit_percent_left",
      help: "Percent left of each Copilot limit, from the last answer's headers (session, weekly, quota:<id>).",
      labelNames: ["limit", ...user],
      registers,
    });
    this.#openStreams = new Gauge({
      name: "copilot_gateway_open_streams",
      help: "Streamed answers in progress.",
      registers,
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Count one finished request (the same entry the log line and the live log get). */
  observeRequest(entry: RequestLogEntry, user?: string): void {
    const route = entry.route ?? "unmatched";
    const stream = String(entry.stream);
    const model = entry.model ?? "";
    const userLabel = this.#perUser ? { login: user ?? "" } : {};
    this.#requests.inc({ route, model, status: String(entry.status), stream, ...userLabel });
    this.#duration.observe({ route, stream }, entry.durationMs / 1000);
    if (entry.firstByteMs !== undefined) this.#ttfb.observe({ route, stream }, entry.firstByteMs / 1000);
    const kinds = [
      ["input", entry.inputTokens],
      ["output", entry.outputTokens],
      ["cached", entry.cachedTokens],
    ] as const;
    for (const [kind, n] of kinds) if (n) this.#tokens.inc({ model, kind, ...userLabel }, n);
  }

  streamOpened(): void {
    this.#openStreams.inc();
  }

  streamClosed(): void {
    this.#openStreams.dec();
  }

  /**
   * Follow one session's retries, errors, exchanges and limits; returns the function that stops following. In team
   * mode a person's session passes their login, which labels their limits (the organisation's App passes none).
   */
  watchSession(session: CopilotSession, user?: string): () => void {
    const userLabel = this.#perUser ? { login: user ?? "" } : {};
    const onRetry = (reason: string) => this.#retries.inc({ reason });
    const onError = (code: string, status: number) =>
      this.#upstreamErrors.inc({ code, status: String(status) });
    const onExchange = () => this.#exchanges.inc();
    const onRefreshFailure = () => this.#refreshFailures.inc();
    session.events.on("retry", onRetry);
    session.events.on("upstreamError", onError);
    session.events.on("tokenExchange", onExchange);
    session.events.on("refreshFailure", onRefreshFailure);
    const setLimits = (snapshot: NonNullable<ReturnType<typeof session.limits.current>>) => {
      for (const { name, reading } of listLimits(snapshot))
        this.#limitLeft.set({ limit: name, ...userLabel }, reading.percentLeft);
    };
    const current = session.limits.current();
    if (current) setLimits(current);
    const stopLimits = session.limits.onChange(setLimits);
    return () => {
      session.events.off("retry", onRetry);
      session.events.off("upstreamError", onError);
      session.events.off("tokenExchange", onExchange);
      session.events.off("refreshFailure", onRefreshFailure);
      stopLimits();
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
