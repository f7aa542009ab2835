import { UsageError } from "../errors.js";

/** Where the gateway listens and the keys it takes: what `serve` binds and what `env` points a tool at. */
export interface ListenAddress {
  host: string;
  port: number;
  apiKeys: string[];
}

/** Loopback, so nothing is exposed unless asked for. */
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 4141;

export interface ListenAddressInput {
  host?: string | undefined;
  port?: string | number | undefined;
  apiKey?: string[] | string | undefined;
}

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

export const asList = (v: string[] | string | undefined): string[] => (v === undefined ? [] : [v].flat());

/** A port is an integer from 0 to 65535, given as a number or its text (as `Number()` reads it). */
function parsePort(value: string | number): number | undefined {
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined;
}

/**
 * Host, port and keys from flags, else `COPILOT_GATEWAY_HOST` / `_PORT` / `_API_KEY`, else the defaults. Plain
 * checks and no schema library: `env` runs this before it knows whether there is a credential at all.
 */
export function resolveListenAddress(input: ListenAddressInput, env: NodeJS.ProcessEnv): ListenAddress {
  const port = parsePort(input.port ?? env.COPILOT_GATEWAY_PORT ?? DEFAULT_PORT);
  if (port === undefined)
    throw new UsageError(`Invalid port "${input.port}": use a number from 0 to 65535.`, "invalid_port");
  const host = (input.host ?? env.COPILOT_GATEWAY_HOST ?? DEFAULT_HOST).trim();
  if (!host) throw new UsageError("The --host value is empty.", "invalid_host");
  const apiKeys = splitList([...asList(input.apiKey), env.COPILOT_GATEWAY_API_KEY]);
  return { host, port, apiKeys };
}
