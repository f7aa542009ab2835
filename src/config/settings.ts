import type { GitHubAppInput } from "../credentials/github-app/app-config.js";
import { UsageError } from "../errors.js";
import { DEFAULT_EDITOR_IDENTITY, type EditorIdentity } from "./editor-headers.js";
import { ACCOUNT_TYPES, type AccountType, type Endpoints, resolveEndpoints } from "./hosts.js";
import { resolveHomeDir } from "./paths.js";

export const DEFAULT_CLIENT_ID = "01ab8ac9400c4e429b23";
export const DEFAULT_SCOPE = "read:user";

/** Everything resolved from flags and environment, validated once at the boundary. */
export interface Settings {
  endpoints: Endpoints;
  accountType: AccountType;
  homeDir: string;
  clientId: string;
  identity: EditorIdentity;
  /** `--github-token`, highest in the token precedence. */
  githubTokenFlag: string | undefined;
  /** `--github-app-*` flags (the COPILOT_GATEWAY_GITHUB_APP_* variables are read with them, when a credential is resolved). */
  githubApp?: GitHubAppInput | undefined;
  caFile: string | undefined;
}

/** Options a caller (CLI flags or library user) may pass; each falls back to an env variable, then a default. */
export interface SettingsInput {
  githubHost?: string | undefined;
  accountType?: string | undefined;
  clientId?: string | undefined;
  githubToken?: string | undefined;
  githubApp?: GitHubAppInput | undefined;
  caFile?: string | undefined;
  homeDir?: string | undefined;
  identity?: Partial<EditorIdentity> | undefined;
}

const SETTINGS_ENV = [
  "COPILOT_GATEWAY_GITHUB_HOST",
  "COPILOT_GATEWAY_ACCOUNT_TYPE",
  "COPILOT_GATEWAY_CLIENT_ID",
  "COPILOT_GATEWAY_GITHUB_URL",
  "COPILOT_GATEWAY_GITHUB_API_URL",
  "COPILOT_GATEWAY_COPILOT_API_URL",
  "COPILOT_GATEWAY_CA_FILE",
  "COPILOT_GATEWAY_EDITOR_VERSION",
  "COPILOT_GATEWAY_EDITOR_PLUGIN_VERSION",
  "COPILOT_GATEWAY_USER_AGENT",
  "COPILOT_GATEWAY_INTEGRATION_ID",
] as const;

/**
 * The settings variables, trimmed, blank ones dropped. The environment holds only strings, so this needs no schema
 * library: zod stays off the start-up path of commands that fail fast or answer from disk.
 */
function readSettingsEnv(env: NodeJS.ProcessEnv): Partial<Record<(typeof SETTINGS_ENV)[number], string>> {
  const out: Partial<Record<(typeof SETTINGS_ENV)[number], string>> = {};
  for (const name of SETTINGS_ENV) {
    const value = env[name]?.trim();
    if (value) out[name] = value;
  }
  return out;
}

function parseAccountType(value: string | undefined): AccountType {
  if (value === undefined) return "individual";
  if ((ACCOUNT_TYPES as readonly string[]).includes(value)) return value as AccountType;
  throw new UsageError(
    `Unknown account type "${value}"; use one of ${ACCOUNT_TYPES.join(", ")}.`,
    "invalid_account_type",
  );
}

export function resolveSettings(input: SettingsInput = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const e = readSettingsEnv(env);
  const accountType = parseAccountType(input.accountType ?? e.COPILOT_GATEWAY_ACCOUNT_TYPE);
  const endpoints = resolveEndpoints({
    githubHost: input.githubHost ?? e.COPILOT_GATEWAY_GITHUB_HOST,
    accountType,
    githubUrl: e.COPILOT_GATEWAY_GITHUB_URL,
    githubApiUrl: e.COPILOT_GATEWAY_GITHUB_API_URL,
    copilotApiUrl: e.COPILOT_GATEWAY_COPILOT_API_URL,
  });
  const identity: EditorIdentity = {
    ...DEFAULT_EDITOR_IDENTITY,
    ...(e.COPILOT_GATEWAY_EDITOR_VERSION && { editorVersion: e.COPILOT_GATEWAY_EDITOR_VERSION }),
    ...(e.COPILOT_GATEWAY_EDITOR_PLUGIN_VERSION && {
      editorPluginVersion: e.COPILOT_GATEWAY_EDITOR_PLUGIN_VERSION,
    }),
    ...(e.COPILOT_GATEWAY_USER_AGENT && { userAgent: e.COPILOT_GATEWAY_USER_AGENT }),
    ...(e.COPILOT_GATEWAY_INTEGRATION_ID && { integrationId: e.COPILOT_GATEWAY_INTEGRATION_ID }),
    ...input.identity,
  };
  return {
    endpoints,
    accountType,
    homeDir: input.homeDir ?? resolveHomeDir(env),
    clientId: input.clientId ?? e.COPILOT_GATEWAY_CLIENT_ID ?? DEFAULT_CLIENT_ID,
    identity,
    githubTokenFlag: input.githubToken,
    githubApp: input.githubApp,
    caFile: input.caFile ?? e.COPILOT_GATEWAY_CA_FILE,
  };
}
