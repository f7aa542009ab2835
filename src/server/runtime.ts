import { CopilotClient } from "../copilot/client.js";
import type { CopilotSession } from "../copilot/session.js";
import { redactSecrets } from "../util/redact.js";
import { RequestLog } from "./request-log.js";

export type SessionListener = (session: CopilotSession | undefined) => void;

/**
 * Everything the gateway's routes share, passed in rather than kept in module state: the Copilot session (absent
 * until someone signs in), the typed client over it (whose model catalogue is cached), and the request log.
 */
export interface GatewayRuntime {
  /** The signed-in session, or undefined: API routes then answer "not signed in". */
  session(): CopilotSession | undefined;
  /** Swap the session (sign-in or sign-out from the page); the old one's background refresh stops. */
  setSession(session: CopilotSession | undefined): void;
  /** The client of the current session; its model catalogue is fetched once and cached. */
  client(): CopilotClient | undefined;
  onSessionChange(listener: SessionListener): () => void;
  readonly log: RequestLog;
  /** Where log lines go (stderr in the CLI), redacted on the way. */
  readonly writeLog: (line: string) => void;
}

export interface GatewayRuntimeOptions {
  session?: CopilotSession | undefined;
  writeLog?: ((line: string) => void) | undefined;
  logCapacity?: number | undefined;
  /** Keep the token fresh in the background (the server does; tests of pure routing may not). */
  refreshTokens?: boolean | undefined;
  /** The client to use for `session` (the library's in-process gateway shares its caller's catalogue cache). */
  client?: CopilotClient | undefined;
}

export function createGatewayRuntime(options: GatewayRuntimeOptions = {}): GatewayRuntime {
  const log = new RequestLog(options.logCapacity ?? 200);
  const listeners = new Set<SessionListener>();
  const refresh = options.refreshTokens ?? true;
  const writeLog = options.writeLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  let session: CopilotSession | undefined;
  let client: CopilotClient | undefined;

  const runtime: GatewayRuntime = {
    session: () => session,
    setSession(next) {
      if (next === session) return;
      session?.tokens.stop();
      session = next;
      client =
        next === undefined
          ? undefined
          : next === options.session && options.client?.session === next
            ? options.client
            : new CopilotClient(next);
      if (next && refresh) next.tokens.start();
      for (const listener of listeners) listener(next);
    },
    client: () => client,
    onSessionChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    log,
    writeLog: (line) => writeLog(redactSecrets(line)),
  };
  if (options.session) runtime.setSession(options.session);
  return runtime;
}
