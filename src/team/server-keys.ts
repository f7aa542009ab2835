import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { EXIT_CODES, GatewayError, UsageError } from "../errors.js";
import { safeParseJson } from "../util/parse-json.js";

/** A personal key a person received from a team gateway with `copilot-gateway connect`. */
export interface ServerKey {
  server: string;
  login: string;
  key: string;
  savedAt: string;
}

const fileSchema = z.object({
  version: z.literal(1),
  server: z.string().min(1),
  login: z.string().min(1),
  key: z.string().min(1),
  savedAt: z.string(),
});

const POSIX = process.platform !== "win32";

/** `https://Copilot.Example.com/` → `https://copilot.example.com`: one spelling per server. */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new UsageError(
      `"${input}" is not a URL; give the gateway's address, e.g. https://copilot.example.com.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(
      `"${input}" is not an http(s) URL; give the gateway's address, e.g. https://copilot.example.com.`,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** One 0600 file per server in the 0700 `servers` directory of the state home. */
export function serverKeyPath(homeDir: string, server: string): string {
  const name = normalizeServerUrl(server)
    .replace(/^https?:\/\//, (m) => (m.startsWith("https") ? "https_" : "http_"))
    .replace(/[^A-Za-z0-9.-]/g, "_");
  return join(homeDir, "servers", `${name}.json`);
}

export function saveServerKey(homeDir: string, entry: Omit<ServerKey, "savedAt">): string {
  const path = serverKeyPath(homeDir, entry.server);
  const temp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  const record = {
    version: 1,
    ...entry,
    server: normalizeServerUrl(entry.server),
    savedAt: new Date().toISOString(),
  };
  try {
    mkdirSync(homeDir, { recursive: true, mode: 0o700 });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (POSIX) chmodSync(dirname(path), 0o700);
    writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    if (POSIX) chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new GatewayError(
      "server_key_store_failed",
      `Cannot store the personal key in ${path} (${(error as Error).message}); check that COPILOT_GATEWAY_HOME is writable.`,
      { exitCode: EXIT_CODES.unexpected, cause: error },
    );
  }
  return path;
}

export function readServerKey(homeDir: string, server: string): ServerKey | undefined {
  const path = serverKeyPath(homeDir, server);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new GatewayError("server_key_unreadable", `Cannot read ${path} (${(error as Error).message}).`, {
      exitCode: EXIT_CODES.unexpected,
    });
  }
  const parsed = safeParseJson(fileSchema, text);
  if (!parsed.success) {
    throw new GatewayError(
      "server_key_invalid",
      `The stored personal key ${path} is damaged; run \`copilot-gateway connect ${server}\` again.`,
      { exitCode: EXIT_CODES.notSignedIn },
    );
  }
  const { version: _v, ...entry } = parsed.data;
  return entry;
}
