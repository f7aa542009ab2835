import { randomBytes } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { EXIT_CODES, GatewayError } from "../errors.js";

/** Where one host's login lives: the state home and the GitHub host name (`Settings.homeDir`, `endpoints.host`). */
export interface TokenStoreLocation {
  homeDir: string;
  host: string;
  /** Told when a file or directory had looser permissions and was tightened. Defaults to a stderr line. */
  warn?: ((message: string) => void) | undefined;
}

/** What a stored login remembers. The token is the only secret; the rest is for `status` and diagnostics. */
export interface StoredGitHubToken {
  token: string;
  host: string;
  /** GitHub login, when known at sign-in. */
  login?: string | undefined;
  /** How it was obtained: "device-flow", or "import:<where from>". */
  source: string;
  /** ISO time of saving. */
  savedAt: string;
  /** Wall-clock expiry (ISO) of GitHub App user tokens that carry `expires_in`. */
  expiresAt?: string | undefined;
  refreshToken?: string | undefined;
}

const OPTIONAL_STRINGS = ["login", "source", "savedAt", "expiresAt", "refreshToken"] as const;

/**
 * The stored file, validated field by field: version 1, a non-empty token, a host, the rest optional strings
 * (unknown keys dropped). Checked by hand rather than with zod because every command reads this file on its way in,
 * and loading zod alone costs about as much as Node's own start (the CLI must start within 2× a bare `node`).
 */
export function parseStoredToken(text: string): StoredGitHubToken | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const { version, token, host } = record;
  if (version !== 1 || typeof token !== "string" || token.length === 0 || typeof host !== "string")
    return undefined;
  const optional: Partial<Record<(typeof OPTIONAL_STRINGS)[number], string>> = {};
  for (const key of OPTIONAL_STRINGS) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== "string") return undefined;
    optional[key] = value;
  }
  return {
    token,
    host,
    ...optional,
    source: optional.source ?? "device-flow",
    savedAt: optional.savedAt ?? "",
  };
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
// Windows has no POSIX modes; its ACLs already keep a user's profile private.
const POSIX = process.platform !== "win32";

function defaultWarn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Path of the stored login for a host (one file per host inside the 0700 `tokens` directory). */
export function storedTokenPath(homeDir: string, host: string): string {
  return join(homeDir, "tokens", `${host.toLowerCase().replace(/[^a-z0-9.-]/g, "_")}.json`);
}

class TokenStoreError extends GatewayError {
  constructor(message: string, cause?: unknown) {
    super("token_store_failed", message, { exitCode: EXIT_CODES.unexpected, cause });
  }
}

/** `.<pid>-<hex>.tmp` while saveGitHubToken writes (older versions: `.<hex>.tmp`). */
const TEMP_FILE = /^\.(?:(\d+)-)?[0-9a-f]{12}\.tmp$/;
/** A temporary file of another live process is left alone this long: it may be that process's save in flight. */
const TEMP_GRACE_MS = 10 * 60_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove temporary token files a crash left behind (a kill between the write and the rename leaves the whole
 * token in one). Run on every store access. Saves are synchronous, so one of ours is never in flight here; one of
 * another live process is kept for a grace period unless `all` (logout removes every trace).
 */
function sweepTempFiles(dir: string, all: boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no tokens directory yet
  }
  for (const name of names) {
    const match = TEMP_FILE.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    if (!all && pid !== undefined && pid !== process.pid && processAlive(pid)) {
      try {
        if (Date.now() - statSync(path).mtimeMs < TEMP_GRACE_MS) continue;
      } catch {
        continue; // already gone
      }
    }
    rmSync(path, { force: true });
  }
}

/** Tighten a path to `mode` when group or others may read it, saying so (the token may have leaked). */
function tighten(path: string, mode: number, warn: (message: string) => void): void {
  if (!POSIX) return;
  const current = statSync(path).mode & 0o777;
  if ((current & 0o077) === 0) return;
  chmodSync(path, mode);
  warn(
    `${path} was readable by others (mode ${current.toString(8).padStart(3, "0")}); tightened it to ${mode.toString(8)}.`,
  );
}

function ensurePrivateDir(path: string, warn: (message: string) => void): void {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
  tighten(path, DIR_MODE, warn);
}

/**
 * Store a GitHub token for a host: a 0600 file in a 0700 directory, written to a temporary file and renamed so a
 * crash never leaves half a token. Synchronous on purpose: tiny file, and callers need it done before they go on.
 */
export function saveGitHubToken(
  location: TokenStoreLocation,
  token: Omit<StoredGitHubToken, "host" | "savedAt" | "source"> & { source?: string },
): string {
  const warn = location.warn ?? defaultWarn;
  const path = storedTokenPath(location.homeDir, location.host);
  const record = {
    version: 1,
    host: location.host,
    token: token.token,
    source: token.source ?? "device-flow",
    savedAt: new Date().toISOString(),
    ...(token.login && { login: token.login }),
    ...(token.expiresAt && { expiresAt: token.expiresAt }),
    ...(token.refreshToken && { refreshToken: token.refreshToken }),
  };
  const temp = join(dirname(path), `.${process.pid}-${randomBytes(6).toString("hex")}.tmp`);
  try {
    // The home itself may be a directory the user chose; only the tokens directory is forced private.
    mkdirSync(location.homeDir, { recursive: true, mode: DIR_MODE });
    ensurePrivateDir(dirname(path), warn);
    sweepTempFiles(dirname(path), false);
    writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: FILE_MODE, flag: "wx" });
    if (POSIX) chmodSync(temp, FILE_MODE); // in case a umask narrowed nothing but an ACL widened it
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // The directory itself is unusable (e.g. the home is a file): there is no temporary file to clean up.
    }
    throw new TokenStoreError(
      `Cannot store the GitHub token in ${path} (${(error as Error).message}); check that COPILOT_GATEWAY_HOME is writable.`,
      error,
    );
  }
  return path;
}

/**
 * The stored login for a host, or undefined when there is none. A file or directory found readable by others is
 * tightened with a warning; a damaged file is an error naming the path and the fix.
 */
export function readStoredGitHubToken(location: TokenStoreLocation): StoredGitHubToken | undefined {
  const warn = location.warn ?? defaultWarn;
  const path = storedTokenPath(location.homeDir, location.host);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      sweepTempFiles(dirname(path), false);
      return undefined;
    }
    throw new TokenStoreError(
      `Cannot read the stored login ${path} (${(error as Error).message}); check that COPILOT_GATEWAY_HOME is a directory you can write.`,
      error,
    );
  }
  tighten(dirname(path), DIR_MODE, warn);
  tighten(path, FILE_MODE, warn);
  sweepTempFiles(dirname(path), false);
  const stored = parseStoredToken(text);
  if (!stored) {
    throw new GatewayError(
      "stored_token_invalid",
      `The stored login ${path} is damaged; run \`copilot-gateway logout\` and then \`copilot-gateway login\`.`,
      { exitCode: EXIT_CODES.notSignedIn, status: 401 },
    );
  }
  return stored;
}

/**
 * Forget the stored login for a host, and every temporary token file a crashed save left. Returns the path
 * removed, or undefined when there was none.
 */
export function deleteStoredGitHubToken(location: TokenStoreLocation): string | undefined {
  const path = storedTokenPath(location.homeDir, location.host);
  try {
    sweepTempFiles(dirname(path), true);
    unlinkSync(path);
    return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new TokenStoreError(
      `Cannot remove the stored login ${path} (${(error as Error).message}); check that COPILOT_GATEWAY_HOME is a directory you can write.`,
      error,
    );
  }
}
