import { z } from "zod";
import { parseModelMapEntries, readModelMapFile } from "../anthropic/model-names.js";
import { UsageError } from "../errors.js";

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
  host: "127.0.0.1",
  port: 4141,
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

/** `--api-key a --api-key b,c` and `COPILOT_GATEWAY_API_KEY=a,b` both become `[a, b, c]`. */
export function splitList(values: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    if (!value) continue;
    for (const part of value.split(",")) {
      const trimmed = part.trim();
      if (trimmed && !out.includes(trimmed)) out.push(trimmed);
    }
  }
  return out;
}

const portSchema = z.coerce.number().int().min(0).max(65_535);

const originSchema = z
  .string()
  .refine((v) => v === "*" || /^https?:\/\/[^/\s]+$/.test(v), "an origin is scheme://host[:port] or *");

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

const asList = (v: string[] | string | undefined): string[] => (v === undefined ? [] : [v].flat());

export function resolveGatewayOptions(
  input: GatewayOptionsInput,
  env: NodeJS.ProcessEnv = process.env,
): GatewayOptions {
  const port = portSchema.safeParse(input.port ?? env.COPILOT_GATEWAY_PORT ?? DEFAULT_GATEWAY_OPTIONS.port);
  if (!port.success)
    throw new UsageError(`Invalid port "${input.port}": use a number from 0 to 65535.`, "invalid_port");
  const host = (input.host ?? env.COPILOT_GATEWAY_HOST ?? DEFAULT_GATEWAY_OPTIONS.host).trim();
  if (!host) throw new UsageError("The --host value is empty.", "invalid_host");
  const apiKeys = splitList([...asList(input.apiKey), env.COPILOT_GATEWAY_API_KEY]);
  const corsOrigins = splitList(asList(input.cors));
  for (const origin of corsOrigins) {
    if (!originSchema.safeParse(origin).success)
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
    port: port.data,
    apiKeys,
    corsOrigins,
    verbose: input.verbose === true,
    ...(input.shutdownGraceMs !== undefined && { shutdownGraceMs: input.shutdownGraceMs }),
  };
}
