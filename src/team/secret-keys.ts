import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { boxKeyId, deriveBoxKey } from "./secret-box.js";

/** The keys the secret box uses, newest first, and where they came from. */
export interface SecretKeys {
  keys: Buffer[];
  origin: "env" | "file";
  /** The key file, when the keys came from one. */
  path?: string | undefined;
  /** True when the key file was just generated. */
  created?: boolean | undefined;
}

const MIN_SECRET_LENGTH = 32;
const POSIX = process.platform !== "win32";

export function secretKeyFilePath(homeDir: string): string {
  return join(homeDir, "team", "secret.key");
}

function fromSecret(value: string, name: string): Buffer {
  if (value.length < MIN_SECRET_LENGTH) {
    throw new UsageError(
      `${name} is ${value.length} characters; use at least ${MIN_SECRET_LENGTH} random characters (e.g. \`openssl rand -base64 32\`).`,
      "secret_too_short",
    );
  }
  return deriveBoxKey(value);
}

function parseKeyFile(text: string, path: string): Buffer[] {
  const keys = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => Buffer.from(line, "base64url"));
  if (keys.length === 0 || keys.some((k) => k.length !== 32)) {
    throw new UsageError(
      `The key file ${path} is damaged (each line must be a 32-byte base64url key); restore it, or remove it and have everybody sign in again.`,
      "secret_key_file_invalid",
    );
  }
  return keys;
}

function writeKeyFile(path: string, keys: Buffer[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  const body = [
    "# copilot-gateway team secret: the first key seals, the others only open. Keep this file private.",
    ...keys.map((k) => k.toString("base64url")),
    "",
  ].join("\n");
  writeFileSync(temp, body, { mode: 0o600, flag: "wx" });
  if (POSIX) chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/**
 * COPILOT_GATEWAY_SECRET (plus COPILOT_GATEWAY_SECRET_PREVIOUS, comma-separated old secrets, after a rotation),
 * else the 0600 key file in the state directory, generated on first use.
 */
export function loadSecretKeys(homeDir: string, env: NodeJS.ProcessEnv = process.env): SecretKeys {
  const secret = env.COPILOT_GATEWAY_SECRET?.trim();
  if (secret) {
    const previous = (env.COPILOT_GATEWAY_SECRET_PREVIOUS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => fromSecret(s, "COPILOT_GATEWAY_SECRET_PREVIOUS"));
    return { keys: [fromSecret(secret, "COPILOT_GATEWAY_SECRET"), ...previous], origin: "env" };
  }
  const path = secretKeyFilePath(homeDir);
  let text: string | undefined;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new UsageError(
        `Cannot read the key file ${path} (${(error as Error).message}); check the state directory's permissions.`,
        "secret_key_file_unreadable",
      );
    }
  }
  if (text !== undefined) return { keys: parseKeyFile(text, path), origin: "file", path };
  const keys = [randomBytes(32)];
  writeKeyFile(path, keys);
  return { keys, origin: "file", path, created: true };
}

/**
 * Rotate the key file: a new key goes first (it seals from now on) and the old ones stay (they still open what
 * they sealed). Returns the new key id.
 */
export function rotateSecretKeyFile(homeDir: string): { path: string; keyId: string; kept: number } {
  const path = secretKeyFilePath(homeDir);
  let old: Buffer[] = [];
  try {
    old = parseKeyFile(readFileSync(path, "utf8"), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const fresh = randomBytes(32);
  writeKeyFile(path, [fresh, ...old]);
  return { path, keyId: boxKeyId(fresh), kept: old.length };
}
