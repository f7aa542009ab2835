import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { UsageError } from "../../errors.js";
import { parseAppPrivateKey } from "./app-jwt.js";

/** The environment variables of a GitHub App installation (each also a `--github-app-*` flag). */
export const GITHUB_APP_ENV = {
  appId: "COPILOT_GATEWAY_GITHUB_APP_ID",
  installationId: "COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID",
  repositoryId: "COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID",
  privateKey: "COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY",
} as const;

/** Which flag or variable set each value: errors name the one to fix. */
export interface GitHubAppSettingNames {
  appId: string;
  installationId: string;
  repositoryId: string;
  privateKey: string;
}

/** A GitHub App installation that bills the organisation (spec §9): everything needed to mint its tokens. */
export interface GitHubAppConfig {
  /** The App id (digits) or its client id (`Iv1.…`). */
  appId: string;
  installationId: string;
  /** A repository the installation can see; the Copilot check requires one. */
  repositoryId: number;
  privateKey: KeyObject;
  /** How messages name each setting, e.g. "--github-app-id" or "COPILOT_GATEWAY_GITHUB_APP_ID". */
  names: GitHubAppSettingNames;
}

/** Raw values, from flags (`--github-app-*`) or the library caller. The key is a file path or PEM text. */
export interface GitHubAppInput {
  appId?: string | undefined;
  installationId?: string | undefined;
  repositoryId?: string | undefined;
  /** A path to the PEM file, or the PEM text itself. */
  privateKey?: string | undefined;
}

const FLAG_NAMES: GitHubAppSettingNames = {
  appId: "--github-app-id",
  installationId: "--github-app-installation-id",
  repositoryId: "--github-app-repository-id",
  privateKey: "--github-app-private-key",
};

function loadKey(value: string, name: string): KeyObject {
  if (value.includes("-----BEGIN")) return parseAppPrivateKey(value, name);
  let text: string;
  try {
    text = readFileSync(value, "utf8");
  } catch (error) {
    throw new UsageError(
      `${name}: cannot read the private key file ${value} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of the .pem downloaded from the App's settings.`,
      "github_app_key_unreadable",
    );
  }
  return parseAppPrivateKey(text, `${name} (${value})`);
}

/**
 * The App installation configured by flags, else by `COPILOT_GATEWAY_GITHUB_APP_*`, or undefined when none of its
 * settings is given. A partial or malformed configuration is a usage error naming the setting to fix. Reads the key
 * file (synchronously, once); makes no network call.
 */
export function resolveGitHubAppConfig(
  input: GitHubAppInput,
  env: NodeJS.ProcessEnv = process.env,
): GitHubAppConfig | undefined {
  const pick = (key: keyof GitHubAppInput): { value: string | undefined; name: string } => {
    const flag = input[key]?.trim();
    if (flag) return { value: flag, name: FLAG_NAMES[key] };
    const fromEnv = env[GITHUB_APP_ENV[key]]?.trim();
    return { value: fromEnv || undefined, name: GITHUB_APP_ENV[key] };
  };
  const appId = pick("appId");
  const installationId = pick("installationId");
  const repositoryId = pick("repositoryId");
  const privateKey = pick("privateKey");
  const all = [appId, installationId, repositoryId, privateKey];
  if (all.every((s) => s.value === undefined)) return undefined;
  const missing = all.filter((s) => s.value === undefined).map((s) => s.name);
  if (missing.length > 0)
    throw new UsageError(
      `A GitHub App installation needs all four settings; missing ${missing.join(", ")}.`,
      "github_app_incomplete",
    );
  if (!/^(\d+|Iv[0-9a-zA-Z._-]+)$/.test(appId.value ?? ""))
    throw new UsageError(
      `${appId.name} must be the App's numeric id or its client id (Iv…), got "${appId.value}".`,
      "github_app_id_invalid",
    );
  for (const s of [installationId, repositoryId]) {
    if (!/^\d+$/.test(s.value ?? ""))
      throw new UsageError(`${s.name} must be a number, got "${s.value}".`, "github_app_id_invalid");
  }
  return {
    appId: appId.value as string,
    installationId: installationId.value as string,
    repositoryId: Number(repositoryId.value),
    privateKey: loadKey(privateKey.value as string, privateKey.name),
    names: {
      appId: appId.name,
      installationId: installationId.name,
      repositoryId: repositoryId.name,
      privateKey: privateKey.name,
    },
  };
}
