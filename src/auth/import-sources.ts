import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

/** A GitHub token another tool already holds for the host, offered for import (spec §6). */
export interface ImportCandidate {
  token: string;
  /** Which tool and file it came from, for the prompt and messages, e.g. "GitHub Copilot's apps.json (…)". */
  label: string;
  path: string;
  /** The GitHub login the other tool recorded, when it did. */
  user: string | undefined;
}

const entrySchema = z.object({ oauth_token: z.string().min(1), user: z.string().optional() }).passthrough();
const copilotConfigSchema = z.record(z.string(), z.unknown());

/** `~/.config/github-copilot` ($XDG_CONFIG_HOME; %LOCALAPPDATA% on Windows), shared by Copilot's editor plugins. */
export function githubCopilotConfigDir(env: NodeJS.ProcessEnv, platform = process.platform): string {
  if (platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "github-copilot");
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, "github-copilot");
  return join(env.HOME || homedir(), ".config", "github-copilot");
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    // Absent or unreadable: simply nothing to offer from there.
    return undefined;
  }
}

/** apps.json keys are `HOST:CLIENT_ID`, hosts.json keys are `HOST`. */
function hostOfKey(key: string, withClientId: boolean): string {
  const cut = withClientId ? key.lastIndexOf(":") : -1;
  return (cut > 0 ? key.slice(0, cut) : key).toLowerCase();
}

function fromCopilotConfig(
  path: string,
  host: string,
  withClientId: boolean,
  tool: string,
): ImportCandidate[] {
  const text = readIfPresent(path);
  if (text === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = copilotConfigSchema.safeParse(json);
  if (!parsed.success) return [];
  const found: ImportCandidate[] = [];
  for (const [key, value] of Object.entries(parsed.data)) {
    if (hostOfKey(key, withClientId) !== host) continue;
    const entry = entrySchema.safeParse(value);
    if (!entry.success) continue;
    found.push({
      token: entry.data.oauth_token.trim(),
      label: `${tool} (${path})`,
      path,
      user: entry.data.user,
    });
  }
  return found;
}

/**
 * Tokens other Copilot tools hold for `host`: the editor plugins' apps.json and hosts.json, and copilot-api's
 * token file (github.com only: it records no host). Read-only; nothing is imported until the caller says so.
 */
export function findImportableTokens(host: string, env: NodeJS.ProcessEnv = process.env): ImportCandidate[] {
  const configDir = githubCopilotConfigDir(env);
  const wanted = host.toLowerCase();
  const candidates = [
    ...fromCopilotConfig(join(configDir, "apps.json"), wanted, true, "GitHub Copilot's apps.json"),
    ...fromCopilotConfig(join(configDir, "hosts.json"), wanted, false, "GitHub Copilot's hosts.json"),
  ];
  if (wanted === "github.com") {
    const path = join(env.HOME || homedir(), ".local", "share", "copilot-api", "github_token");
    const token = readIfPresent(path)?.trim();
    if (token && !/\s/.test(token))
      candidates.push({ token, label: `copilot-api (${path})`, path, user: undefined });
  }
  candidates.push(...fromGitHubCli(wanted, env));
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.token) && seen.add(c.token));
}

/** gh's config directory: $GH_CONFIG_DIR, else $XDG_CONFIG_HOME/gh, else ~/.config/gh (%AppData%\GitHub CLI on Windows). */
export function githubCliConfigDir(env: NodeJS.ProcessEnv, platform = process.platform): string {
  if (env.GH_CONFIG_DIR) return env.GH_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, "gh");
  if (platform === "win32" && env.APPDATA) return join(env.APPDATA, "GitHub CLI");
  return join(env.HOME || homedir(), ".config", "gh");
}

/**
 * The `oauth_token` of `host` in gh's hosts.yml. The file has one fixed shape (a top-level `HOST:` key whose
 * direct children include `oauth_token:` and `user:`), so a line reader does; newer gh keeps the token in the
 * system keyring instead, which only `gh auth token` can read.
 */
export function readGitHubCliHostsFile(text: string, host: string): { token?: string; user?: string } {
  const found: { token?: string; user?: string } = {};
  let inHost = false;
  let childIndent: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      inHost =
        line
          .replace(/:\s*$/, "")
          .replace(/^["']|["']$/g, "")
          .toLowerCase() === host;
      childIndent = undefined;
      continue;
    }
    if (!inHost || !line.trim() || line.trim().startsWith("#")) continue;
    const indent = line.length - line.trimStart().length;
    childIndent ??= indent;
    if (indent !== childIndent) continue;
    const m = /^\s*(oauth_token|user):\s*["']?([^"'\s#]+)["']?\s*$/.exec(line);
    if (m?.[1] === "oauth_token") found.token = m[2];
    if (m?.[1] === "user") found.user = m[2];
  }
  return found;
}

/**
 * The GitHub CLI's login for `host`: `gh auth token --hostname HOST` when gh is installed (it reads the keyring
 * too), else the token in its hosts.yml. gh's token is a gho_ of gh's own OAuth app: the exchange may refuse it,
 * in which case it is used directly as the bearer (see user-token-credential.ts).
 */
function fromGitHubCli(host: string, env: NodeJS.ProcessEnv): ImportCandidate[] {
  const gh = spawnSync("gh", ["auth", "token", "--hostname", host], {
    env: { ...env, GH_PROMPT_DISABLED: "1", NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 5_000,
    stdio: ["ignore", "pipe", "ignore"],
  });
  if (!gh.error) {
    const token = gh.status === 0 ? gh.stdout.trim() : "";
    if (token && !/\s/.test(token))
      return [{ token, label: "the GitHub CLI (`gh auth token`)", path: "gh auth token", user: undefined }];
    return [];
  }
  const path = join(githubCliConfigDir(env), "hosts.yml");
  const text = readIfPresent(path);
  if (text === undefined) return [];
  const { token, user } = readGitHubCliHostsFile(text, host);
  return token ? [{ token, label: `the GitHub CLI's hosts.yml (${path})`, path, user }] : [];
}

export interface ChooseImportOptions {
  candidates: ImportCandidate[];
  /** `--import`: take the first candidate without asking. */
  importWithoutAsking: boolean;
  /** Only a person at a terminal is ever asked. */
  interactive: boolean;
  /** Ask a yes/no question; only called when `interactive`. */
  confirm: (question: string) => Promise<boolean>;
}

/** Which candidate to import: the first with `--import`, the first the user confirms on a TTY, else none. */
export async function chooseImport(options: ChooseImportOptions): Promise<ImportCandidate | undefined> {
  const { candidates } = options;
  if (options.importWithoutAsking) return candidates[0];
  if (!options.interactive) return undefined;
  for (const candidate of candidates) {
    const who = candidate.user ? ` for ${candidate.user}` : "";
    if (await options.confirm(`Import the GitHub token${who} from ${candidate.label}?`)) return candidate;
  }
  return undefined;
}
