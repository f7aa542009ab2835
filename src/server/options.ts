import { parseModelMapEntries, readModelMapFile } from "../anthropic/model-names.js";
import { UsageError } from "../errors.js";
import { asList, DEFAULT_HOST, DEFAULT_PORT, resolveListenAddress, splitList } from "./listen-address.js";

/** How the gateway listens and protects itself; validated once when `serve` starts. */
export interface GatewayOptions {
  host: string;
  port: number;
  /** Accepted client keys; empty means no key is required (only allowed on loopback). */
  apiKeys: string[];
  /** Origins allowed by CORS; empty means CORS is off. */
  corsOrigins: string[];
  verbose: boolean;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Bytes of request bodies held at once across concurrent requests; beyond it, 503 with Retry-After. */
  bodyBudgetBytes: number;
  /** A client must send its request headers within this time (slowloris defence). */
  headersTimeoutMs: number;
  /** A client must send its whole request within this time. */
  requestTimeoutMs: number;
  /** How often connections are checked against the two limits above. */
  timeoutCheckIntervalMs: number;
  /** Idle keep-alive connections are closed after this time. */
  keepAliveTimeoutMs: number;
  /** On SIGINT/SIGTERM, in-flight requests get this long to finish before their connections are closed. */
  shutdownGraceMs: number;
  /** Model aliases for the Anthropic routes (`--model-map FROM=TO`, `--model-map-file`). */
  modelMap: Record<string, string>;
  /** `serve --team`: personal keys protect the API, so binding beyond loopback needs no shared key. */
  teamMode: boolean;
  /** Host names answered besides loopback ones while bound to loopback (a reverse proxy's public name). */
  allowedHosts: string[];
  /** Read the client address from X-Forwarded-For / X-Forwarded-Proto (`--trust-proxy`). */
  trustProxy: boolean;
  /** Team mode: a bearer token a Prometheus scraper may present for `/metrics` (`--metrics-token`). */
  metricsToken?: string | undefined;
}

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = {
  host: DEFAULT_HOST,
  port: DEFAULT_PORT,
  apiKeys: [],
  corsOrigins: [],
  verbose: false,
  bodyLimitBytes: 32 * 1024 * 1024,
  bodyBudgetBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  timeoutCheckIntervalMs: 2_000,
  keepAliveTimeoutMs: 65_000,
  shutdownGraceMs: 10_000,
  modelMap: {},
  teamMode: false,
  allowedHosts: [],
  trustProxy: false,
};

export { splitList } from "./listen-address.js";

const isOrigin = (v: string) => v === "*" || /^https?:\/\/[^/\s]+$/.test(v);

/** What `serve` gets from flags and the environment, before validation. */
export interface GatewayOptionsInput {
  host?: string | undefined;
  port?: string | number | undefined;
  apiKey?: string[] | string | undefined;
  cors?: string[] | string | undefined;
  verbose?: boolean | undefined;
  shutdownGraceMs?: number | undefined;
  /** `FROM=TO` entries (repeatable flag). */
  modelMap?: string[] | undefined;
  /** A JSON file of `{"FROM": "TO"}` aliases; flags win over it. */
  modelMapFile?: string | undefined;
}

export function resolveGatewayOptions(
  input: GatewayOptionsInput,
  env: NodeJS.ProcessEnv = process.env,
): GatewayOptions {
  const { host, port, apiKeys } = resolveListenAddress(input, env);
  const corsOrigins = splitList(asList(input.cors));
  for (const origin of corsOrigins) {
    if (!isOrigin(origin))
      throw new UsageError(
        `Invalid --cors origin "${origin}": use scheme://host[:port], e.g. http://localhost:3000.`,
        "invalid_cors_origin",
      );
  }
  const modelMapFile = input.modelMapFile ?? env.COPILOT_GATEWAY_MODEL_MAP_FILE;
  const modelMap = {
    ...(modelMapFile ? readModelMapFile(modelMapFile) : {}),
    ...parseModelMapEntries(input.modelMap ?? []),
  };
  return {
    ...DEFAULT_GATEWAY_OPTIONS,
    host,
    modelMap,
    port,
    apiKeys,
    corsOrigins,
    verbose: input.verbose === true,
    ...(input.shutdownGraceMs !== undefined && { shutdownGraceMs: input.shutdownGraceMs }),
  };
}
