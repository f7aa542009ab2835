import { existsSync, readFileSync } from "node:fs";
import { storedTokenPath } from "../../auth/token-store.js";
import { resolveCredentialSource } from "../../credentials/resolve-credential.js";
import type { CliContext } from "../context.js";
import { jsonOutput } from "../output/format.js";

export interface DebugOptions {
  json?: boolean;
}

const PROXY_ENV = [
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
];

/** A proxy URL with any userinfo password replaced, so a pasted report never carries the proxy's secret. */
export function maskProxyUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}

/** Which credential would be used, as a label only: resolved offline, and never the token itself. */
function describeSource(ctx: CliContext): string {
  try {
    const source = resolveCredentialSource(ctx.settings(), ctx.env, { warn: () => {} });
    if (source.kind === "github-token") return source.token.label;
    if (source.kind === "github-app") return "a GitHub App installation";
    return source.label;
  } catch (error) {
    return `none (${(error as Error).message})`;
  }
}

/**
 * `copilot-gateway debug [--json]`: what a bug report needs (version, runtime, paths, credential source, proxy and CA
 * settings), gathered without any network call and never including a token.
 */
export function debug(ctx: CliContext, opts: DebugOptions = {}): void {
  const settings = ctx.settings();
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const tokenStore = storedTokenPath(settings.homeDir, settings.endpoints.host);
  const proxy: Record<string, string> = {};
  for (const name of PROXY_ENV) {
    const value = ctx.env[name];
    if (value) proxy[name] = maskProxyUrl(value);
  }
  const report = {
    version: pkg.version,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    host: settings.endpoints.host,
    stateDir: settings.homeDir,
    tokenStore,
    tokenStored: existsSync(tokenStore),
    credentialSource: describeSource(ctx),
    proxy,
    caFile: settings.caFile ?? null,
    nodeExtraCaCerts: ctx.env.NODE_EXTRA_CA_CERTS ?? null,
  };
  if (opts.json) {
    ctx.stdout.write(jsonOutput(report));
    return;
  }
  const proxyText =
    Object.entries(proxy)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ") || "none";
  const rows: [string, string][] = [
    ["version", report.version],
    ["node", report.node],
    ["platform", report.platform],
    ["host", report.host],
    ["state directory", report.stateDir],
    ["token store", `${tokenStore} (${report.tokenStored ? "a login is stored" : "no login stored"})`],
    ["credential source", report.credentialSource],
    ["proxy", proxyText],
    ["--ca-file", report.caFile ?? "none"],
    ["NODE_EXTRA_CA_CERTS", report.nodeExtraCaCerts ?? "none"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  ctx.stdout.write(`${rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join("\n")}\n`);
}
