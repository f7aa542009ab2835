import type { Dispatcher } from "undici";
import type { Settings } from "../config/settings.js";
import type { CopilotSession } from "../copilot/session.js";
import { openSqliteStore, teamStorePath } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { createSecretBox } from "./secret-box.js";
import { loadSecretKeys, type SecretKeys } from "./secret-keys.js";
import { TeamGateway, type TeamGatewayDeps } from "./team-gateway.js";
import type { TeamOptions } from "./team-options.js";

export interface OpenTeamGatewayOptions {
  settings: Settings;
  options: TeamOptions;
  dispatcher: Dispatcher;
  env?: NodeJS.ProcessEnv | undefined;
  /** A store already opened (Redis, tests); default: SQLite in the state directory. */
  store?: Store | undefined;
  orgSession?: CopilotSession | undefined;
  warn?: ((message: string) => void) | undefined;
  extra?: Partial<TeamGatewayDeps> | undefined;
}

/** The store and the secret box of the state directory, and a TeamGateway over them. */
export async function openTeamGateway(
  input: OpenTeamGatewayOptions,
): Promise<{ team: TeamGateway; secrets: SecretKeys }> {
  const secrets = loadSecretKeys(input.settings.homeDir, input.env ?? process.env);
  const store = input.store ?? (await openSqliteStore(teamStorePath(input.settings.homeDir)));
  const team = new TeamGateway({
    settings: input.settings,
    store,
    box: createSecretBox(secrets.keys),
    dispatcher: input.dispatcher,
    options: input.options,
    orgSession: input.orgSession,
    warn: input.warn,
    ...input.extra,
  });
  return { team, secrets };
}
