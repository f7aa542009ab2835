import { UsageError } from "../errors.js";

export type AccountType = "individual" | "business" | "enterprise";
export const ACCOUNT_TYPES: readonly AccountType[] = ["individual", "business", "enterprise"];

/** Where each part of GitHub and Copilot lives for one deployment (spec §1). */
export interface Endpoints {
  /** The GitHub host name the user signs in to, e.g. `github.com` or `acme.ghe.com`; keys stored tokens. */
  host: string;
  /** Web origin of the device flow. */
  webUrl: string;
  /** REST origin for `/user` and `/copilot_internal/*`. */
  apiUrl: string;
  /** True when the operator set apiUrl explicitly (COPILOT_GATEWAY_GITHUB_API_URL): a Copilot base on that origin is their choice. */
  apiUrlOverridden?: boolean | undefined;
  /** Copilot API base when the token names none (depends on account type and host). */
  fallbackCopilotApiUrl: string;
  /** A forced Copilot API base that wins even over the token's `endpoints.api`. */
  copilotApiUrlOverride: string | undefined;
}

export interface EndpointOptions {
  githubHost?: string | undefined;
  accountType?: AccountType | undefined;
  githubUrl?: string | undefined;
  githubApiUrl?: string | undefined;
  copilotApiUrl?: string | undefined;
}

function normalizeHost(input: string): string {
  const trimmed = input.trim().toLowerCase();
  const host = trimmed.replace(/^https?:\/\//, "").replace(/\/+$/, "");
  if (!/^[a-z0-9.-]+(:\d+)?$/.test(host)) {
    throw new UsageError(
      `"${input}" is not a GitHub host name; use e.g. github.com or SUB.ghe.com.`,
      "invalid_host",
    );
  }
  return host;
}

function normalizeUrl(input: string, name: string): string {
  try {
    const url = new URL(input.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return url.toString().replace(/\/+$/, "");
  } catch {
    throw new UsageError(`${name} must be an http(s) URL, got "${input}".`, "invalid_url");
  }
}

function copilotFallback(host: string, accountType: AccountType): string {
  if (host.endsWith(".ghe.com")) return `https://copilot-api.${host}`;
  if (accountType === "individual") return "https://api.githubcopilot.com";
  return `https://api.${accountType}.githubcopilot.com`;
}

/**
 * Derive every origin from the host and account type; exact URL overrides (proxies, mirrors, tests) win.
 * github.com → api.github.com; SUB.ghe.com → api.SUB.ghe.com; anything else is treated as GHES (`HOST/api/v3`).
 */
export function resolveEndpoints(options: EndpointOptions = {}): Endpoints {
  const host = normalizeHost(options.githubHost ?? "github.com");
  const accountType = options.accountType ?? "individual";
  let webUrl = `https://${host}`;
  let apiUrl: string;
  if (host === "github.com") apiUrl = "https://api.github.com";
  else if (host.endsWith(".ghe.com")) apiUrl = `https://api.${host}`;
  else apiUrl = `https://${host}/api/v3`;
  if (options.githubUrl) webUrl = normalizeUrl(options.githubUrl, "COPILOT_GATEWAY_GITHUB_URL");
  if (options.githubApiUrl) apiUrl = normalizeUrl(options.githubApiUrl, "COPILOT_GATEWAY_GITHUB_API_URL");
  return {
    host,
    webUrl,
    apiUrl,
    apiUrlOverridden: options.githubApiUrl !== undefined && options.githubApiUrl !== "",
    fallbackCopilotApiUrl: copilotFallback(host, accountType),
    copilotApiUrlOverride: options.copilotApiUrl
      ? normalizeUrl(options.copilotApiUrl, "COPILOT_GATEWAY_COPILOT_API_URL")
      : undefined,
  };
}
