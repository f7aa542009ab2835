import OpenAI from "openai";
import { resolveSettings } from "../../src/config/settings.js";
import { type CopilotSession, createCopilotSession } from "../../src/copilot/session.js";
import {
  createGatewayServer,
  type GatewayRoutes,
  type GatewayServer,
} from "../../src/server/create-server.js";
import { DEFAULT_GATEWAY_OPTIONS, type GatewayOptions } from "../../src/server/options.js";
import {
  createGatewayRuntime,
  type GatewayRuntime,
  type GatewayRuntimeOptions,
} from "../../src/server/runtime.js";
import type { FakeUpstream } from "../fake-upstream/server.js";

export interface Harness {
  server: GatewayServer;
  runtime: GatewayRuntime;
  url: string;
  logLines: string[];
  client(options?: { apiKey?: string; maxRetries?: number }): OpenAI;
  close(): Promise<void>;
}

export function fakeSession(fake: FakeUpstream, env: Record<string, string> = {}): CopilotSession {
  const settings = resolveSettings({}, { ...fake.env(), HOME: "/nonexistent", ...env });
  return createCopilotSession({
    settings,
    githubToken: {
      value: "gho_test0000000000000000000000000000000000",
      origin: "flag",
      label: "--github-token",
    },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
}

/** A gateway on a free loopback port, signed in against the fake unless `signedIn: false`. */
export async function startGateway(
  fake: FakeUpstream,
  overrides: Partial<GatewayOptions> & {
    signedIn?: boolean;
    routes?: GatewayRoutes[];
    /** Extra runtime parts (usage history, metrics) and the session's env (e.g. COPILOT_GATEWAY_HOME). */
    runtime?: Pick<GatewayRuntimeOptions, "history" | "metrics" | "upstreamGate">;
    env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const { signedIn = true, routes = [], runtime: parts = {}, env, ...options } = overrides;
  const logLines: string[] = [];
  const runtime = createGatewayRuntime({
    session: signedIn ? fakeSession(fake, env) : undefined,
    writeLog: (line) => logLines.push(line),
    ...parts,
  });
  const server = await createGatewayServer(
    runtime,
    { ...DEFAULT_GATEWAY_OPTIONS, port: 0, ...options },
    routes,
  );
  const url = await server.listen();
  return {
    server,
    runtime,
    url,
    logLines,
    client: ({ apiKey = "unused", maxRetries = 0 } = {}) =>
      new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries }),
    close: async () => {
      await server.close(100);
      await runtime.session()?.dispatcher.close();
    },
  };
}

/** Wait until `condition` holds (polling), failing after `timeoutMs`; for events, never for timing claims. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
