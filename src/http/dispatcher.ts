import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici";
import { UsageError } from "../errors.js";

export interface DispatcherOptions {
  /** Extra PEM CA bundle for TLS-inspecting proxies (`--ca-file`). NODE_EXTRA_CA_CERTS is applied by Node itself. */
  caFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Keep-alive sockets per origin; the gateway's hot path reuses them. */
  connections?: number;
}

/** Proxy variables in GitHub's precedence (spec §7). */
export function proxyFromEnv(env: NodeJS.ProcessEnv): {
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
} {
  const httpsProxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || undefined;
  const httpProxy = env.HTTP_PROXY || env.http_proxy || undefined;
  const noProxy = env.NO_PROXY || env.no_proxy || undefined;
  return {
    ...(httpsProxy && { httpsProxy }),
    ...(httpProxy && { httpProxy }),
    ...(noProxy && { noProxy }),
  };
}

function loadCa(caFile: string, env: NodeJS.ProcessEnv): string[] {
  let extra: string[] = [];
  // An explicit `ca` replaces Node's store, NODE_EXTRA_CA_CERTS included: keep those certificates too.
  const nodeExtra = env.NODE_EXTRA_CA_CERTS;
  if (nodeExtra) {
    try {
      extra = [readFileSync(nodeExtra, "utf8")];
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at startup.
    }
  }
  try {
    return [...rootCertificates, ...extra, readFileSync(caFile, "utf8")];
  } catch (error) {
    throw new UsageError(`Cannot read the CA file ${caFile}: ${(error as Error).message}`, "invalid_ca_file");
  }
}

/**
 * One pooled keep-alive dispatcher for every outgoing request. Node's global fetch ignores proxy variables, so a
 * proxy-aware undici agent is built whenever one is set.
 */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const env = options.env ?? process.env;
  const connect = options.caFile ? { ca: loadCa(options.caFile, env) } : undefined;
  const common = {
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: options.connections ?? 256,
    ...(connect && { connect }),
  };
  const proxy = proxyFromEnv(env);
  if (proxy.httpsProxy || proxy.httpProxy) {
    return new EnvHttpProxyAgent({
      ...common,
      ...proxy,
      ...(connect && { requestTls: connect, proxyTls: connect }),
    });
  }
  return new Agent(common);
}
