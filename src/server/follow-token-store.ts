import { unwatchFile, watchFile } from "node:fs";
import { storedTokenPath } from "../auth/token-store.js";
import type { Settings } from "../config/settings.js";
import type { CopilotSession } from "../copilot/session.js";
import type { CredentialSource } from "../credentials/credential-source.js";
import { resolveCredentialSource } from "../credentials/resolve-credential.js";
import { describeError, isGatewayError } from "../errors.js";
import type { GatewayRuntime } from "./runtime.js";

export interface FollowTokenStoreOptions {
  runtime: GatewayRuntime;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** A session for the stored login found in the store. */
  createSession: (source: CredentialSource) => CopilotSession;
  /** How often the stored login's file is checked (a stat, no read unless it changed). */
  intervalMs?: number | undefined;
}

/**
 * Keep a running gateway in step with the token store: `login` in another terminal signs it in (or switches the
 * account), `logout` signs it out, with no restart. Only a stored login is followed; a token given by the flag or a
 * variable wins over the store (as everywhere), so then the store is not watched at all. Polls the file's stat
 * because a login replaces the file by rename, which an inotify watch on the file itself would lose.
 */
export function followTokenStore(options: FollowTokenStoreOptions): () => void {
  const { runtime, settings, env } = options;
  const path = storedTokenPath(settings.homeDir, settings.endpoints.host);
  const check = () => {
    let source: CredentialSource | undefined;
    try {
      source = resolveCredentialSource(settings, env, { warn: runtime.writeLog });
    } catch (error) {
      if (!isGatewayError(error) || error.exitCode !== 3) {
        runtime.writeLog(`warning: cannot read the stored login: ${describeError(error)}`);
        return;
      }
    }
    const stored = source?.kind === "github-token" && source.token.origin === "stored" ? source : undefined;
    if (source && !stored) return; // a flag, variable or App wins over the store
    const current = runtime.session();
    const currentInfo = current?.credential.describe();
    if (!stored) {
      if (currentInfo?.mode !== "device-login") return;
      runtime.setSession(undefined);
      runtime.writeLog(
        "The stored login was removed (logout): the gateway is signed out. Run `copilot-gateway login`, or sign in on the page.",
      );
      void current?.dispatcher.close().catch(() => undefined);
      return;
    }
    if (currentInfo?.identity === stored.token.value) return;
    runtime.setSession(options.createSession(stored));
    runtime.writeLog(`Signed in from the token store (${path}); the gateway uses the new login now.`);
    if (current) void current.dispatcher.close().catch(() => undefined);
  };
  const listener = () => check();
  watchFile(path, { interval: options.intervalMs ?? 1000, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
