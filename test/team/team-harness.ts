import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSettings } from "../../src/config/settings.js";
import { createCopilotSession } from "../../src/copilot/session.js";
import { resolveGitHubAppConfig } from "../../src/credentials/github-app/app-config.js";
import { createDispatcher } from "../../src/http/dispatcher.js";
import { createGatewayServer, type GatewayServer } from "../../src/server/create-server.js";
import { GatewayMetrics } from "../../src/server/metrics/gateway-metrics.js";
import { DEFAULT_GATEWAY_OPTIONS } from "../../src/server/options.js";
import { teamPageRoutes } from "../../src/server/routes/team/index.js";
import { createGatewayRuntime, type GatewayRuntime } from "../../src/server/runtime.js";
import { openTeamGateway } from "../../src/team/open-team-gateway.js";
import type { TeamGateway, TeamGatewayDeps } from "../../src/team/team-gateway.js";
import { resolveTeamOptions, type TeamOptionsInput, teamServerOptions } from "../../src/team/team-options.js";
import type { FakeUpstream } from "../fake-upstream/server.js";
import type { FakePerson } from "../fake-upstream/state.js";

export const TEAM_PEOPLE: FakePerson[] = [
  { login: "alice", id: 101, token: "gho_alice00000000000000000000000000000001", orgs: ["acme"], seat: true },
  { login: "bob", id: 102, token: "gho_bob0000000000000000000000000000000002", orgs: ["acme"], seat: true },
  { login: "carol", id: 103, token: "gho_carol00000000000000000000000000000003", orgs: ["acme"], seat: true },
];

export interface TeamHarness {
  url: string;
  team: TeamGateway;
  runtime: GatewayRuntime;
  server: GatewayServer;
  home: string;
  logLines: string[];
  warnings: string[];
  /** Sign a person in through the gateway's API (what `connect` does), approving at the fake; their key. */
  signIn(login: string, headers?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

export interface TeamHarnessOptions {
  team?: TeamOptionsInput;
  deps?: Partial<TeamGatewayDeps>;
  verbose?: boolean;
  metrics?: boolean;
  /** Reuse a state directory (restart tests). */
  home?: string;
  /** `--billing org`: the organisation's GitHub App (the fake's installation 1001 on acme), with this private key. */
  appPrivateKeyFile?: string;
}

/**
 * A real team gateway in this process (the same parts `serve --team` assembles, with the same option helpers), on a
 * free loopback port, over an SQLite store in a temporary state directory, against the fake upstream.
 */
export async function startTeamGateway(
  fake: FakeUpstream,
  options: TeamHarnessOptions = {},
): Promise<TeamHarness> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), "cg-team-lib-"));
  const env = {
    ...fake.env(),
    HOME: home,
    COPILOT_GATEWAY_HOME: home,
    COPILOT_GATEWAY_SECRET: "a-long-test-secret-of-at-least-32-characters",
    ...(options.appPrivateKeyFile && {
      COPILOT_GATEWAY_GITHUB_APP_ID: "424242",
      COPILOT_GATEWAY_GITHUB_APP_INSTALLATION_ID: "1001",
      COPILOT_GATEWAY_GITHUB_APP_REPOSITORY_ID: "77",
      COPILOT_GATEWAY_GITHUB_APP_PRIVATE_KEY: options.appPrivateKeyFile,
    }),
  };
  const settings = resolveSettings({}, env);
  const teamOptions = resolveTeamOptions(
    {
      allowOrg: ["acme"],
      admin: ["alice"],
      ...(options.appPrivateKeyFile && { billing: "org" }),
      ...options.team,
    },
    env,
  );
  const dispatcher = createDispatcher({});
  const logLines: string[] = [];
  const warnings: string[] = [];
  const metrics = options.metrics ? new GatewayMetrics({ perUser: true, processMetrics: false }) : undefined;
  const app = options.appPrivateKeyFile ? resolveGitHubAppConfig({}, env) : undefined;
  const orgSession = app
    ? createCopilotSession({ settings, dispatcher, source: { kind: "github-app", app }, env })
    : undefined;
  const { team } = await openTeamGateway({
    settings,
    options: teamOptions,
    dispatcher,
    env,
    orgSession,
    warn: (m) => warnings.push(m),
    extra: { metrics, ...options.deps },
  });
  const runtime = createGatewayRuntime({ team, metrics, writeLog: (line) => logLines.push(line) });
  const server = await createGatewayServer(
    runtime,
    teamServerOptions(
      { ...DEFAULT_GATEWAY_OPTIONS, port: 0, verbose: options.verbose ?? false },
      teamOptions,
    ),
    [teamPageRoutes()],
  );
  const url = await server.listen();
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return {
    url,
    team,
    runtime,
    server,
    home,
    logLines,
    warnings,
    async signIn(login, headers = {}) {
      const started = await post("/team/api/sign-in", { via: "connect", name: `${login}'s laptop` }, headers);
      if (started.status !== 201) throw new Error(`sign-in refused: ${JSON.stringify(started.json)}`);
      fake.approveDevice(String(started.json.userCode), login);
      for (;;) {
        const polled = await post("/team/api/sign-in/poll", { handle: started.json.handle }, headers);
        if (polled.json.status === "pending") continue;
        if (polled.json.status !== "complete")
          throw new Error(`sign-in failed: ${JSON.stringify(polled.json)}`);
        return String(polled.json.key);
      }
    },
    async close() {
      await server.close(100);
      await team.store.close();
      await dispatcher.close();
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}
